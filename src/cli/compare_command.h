#pragma once
// `arrload compare BASELINE NEW`: a run against a baseline run, per endpoint, with regression
// budgets and an exit status CI can gate on (docs/compare.md).
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace arrload::cli {

struct CompareCommand {
  std::string baseline;            // a JSON report or a CSV prefix
  std::string current;             // the same, of the new run
  std::vector<std::string> rules;  // --max-regression 'p95:+10%' (repeatable)
  std::string junit_path;          // --junit FILE
  std::string json_path;           // --json FILE ("-" = stdout, the table then goes to stderr)
};

// Declares the subcommand's arguments on APP, bound to CMD.
void add_compare_options(CLI::App& app, CompareCommand& cmd);

// Prints the comparison; writes the files asked for. Returns 0 (no regression), 3 or 4 (a
// regression budget broken: latency or throughput, error rate; the lowest), 2 for a bad budget
// or an unreadable report, 1 when an output file cannot be written.
int execute_compare(const CompareCommand& cmd);

}  // namespace arrload::cli
