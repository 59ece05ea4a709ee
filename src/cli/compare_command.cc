#include "cli/compare_command.h"

#include <cstdio>
#include <exception>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/run_command.h"
#include "compare/compare.h"
#include "compare/load.h"
#include "compare/output.h"
#include "report/format.h"

namespace arrload::cli {

void add_compare_options(CLI::App& app, CompareCommand& cmd) {
  app.add_option("BASELINE", cmd.baseline,
                 "The baseline run: a JSON report (--json-file) or a CSV prefix (--csv PREFIX)")
      ->required();
  app.add_option("NEW", cmd.current, "The new run, the same way")->required();
  app.add_option("--max-regression", cmd.rules,
                 "A regression budget: [SCOPE:]METRIC:CHANGE, e.g. 'p95:+10%', 'read:p99:+50ms', "
                 "'error_rate:+0.5pp', 'rps:-10%', 'p95_service:+10%'; a change within the "
                 "run-to-run noise never fails (repeatable; docs/compare.md)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--junit", cmd.junit_path, "Write the checks as JUnit XML to FILE");
  app.add_option("--json", cmd.json_path,
                 "Write the comparison as JSON to FILE ('-': stdout, the table goes to stderr)");
}

int execute_compare(const CompareCommand& cmd) {
  std::vector<compare::Rule> rules;
  compare::Comparison result;
  try {
    for (const std::string& text : cmd.rules) rules.push_back(compare::parse_rule(text));
    const compare::RunData base = compare::load_run(cmd.baseline);
    const compare::RunData next = compare::load_run(cmd.current);
    result = compare::compare(base, next, rules);
  } catch (const compare::RuleError& e) {
    fmt::print(stderr, "arrload compare: {}\n", e.what());
    return kExitUsage;
  } catch (const compare::InputError& e) {
    fmt::print(stderr, "arrload compare: {}\n", e.what());
    return kExitUsage;
  }
  std::FILE* const out = cmd.json_path == "-" ? stderr : stdout;
  fmt::print(out, "{}", compare::comparison_table(result));
  std::fflush(out);
  bool written = true;
  for (const auto& [path, text] : {std::pair{&cmd.junit_path, compare::junit_xml(result)},
                                   std::pair{&cmd.json_path, compare::comparison_json(result)}}) {
    if (path->empty()) continue;
    try {
      report::write_text_file(*path, text);
    } catch (const std::exception& e) {
      fmt::print(stderr, "arrload compare: {}\n", e.what());
      written = false;
    }
  }
  if (result.exit_code() != 0) return result.exit_code();
  return written ? kExitOk : kExitRuntimeError;
}

}  // namespace arrload::cli
