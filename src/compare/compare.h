#pragma once
// `arrload compare`'s judgement: a new run against a baseline, per endpoint, each difference
// weighed against the run-to-run noise (noise.h), and held against the regression budgets
// (rule.h). Method and output: docs/compare.md.
#include <optional>
#include <string>
#include <vector>

#include "compare/rule.h"
#include "compare/run_data.h"

namespace arrload::compare {

// One figure of one row, baseline against new.
struct Change {
  Figure figure;
  bool has_data = false;  // both runs have the figure (a latency needs requests in both)
  double base = 0;        // ms, a fraction (error_rate) or requests/s
  double next = 0;
  double delta = 0;                // next - base
  std::optional<double> relative;  // delta / base; none when base is 0
  bool within_noise = false;       // the difference could be chance alone (noise.h)
  // "+50.1 ms (+2503%)", "-1.2/s (-2.4%)", "+0.10pp"; "no data".
  std::string describe_delta() const;
  // A value of this figure: "51.3 ms", "0.12%", "48.20/s".
  std::string describe(double value) const;
};

// An endpoint in both runs, or the Aggregated row.
struct Row {
  std::string key;              // "GET /health", "Aggregated"
  std::string category;         // "" when unknown
  std::vector<Change> changes;  // rps, error_rate, p50, p95, p99; then p50..p99 _service when
                                // either run has corrected times for the row
};

// A regression budget applied to one row.
struct Check {
  std::string subject;  // the row's key
  std::string category;
  Rule rule;
  Change change;
  bool exceeded = false;  // the change is worse than the rule allows
  bool pass = true;       // not exceeded, or within the noise, or no data
  // 4 (budget::kExitErrorRate) for error_rate, else 3 (budget::kExitBudget).
  int exit_code() const;
  // "+50.1 ms (+2503%), allowed +20 ms"; "... within noise"; "no data".
  std::string describe() const;
};

struct Comparison {
  std::string baseline;  // sources, as RunData::source
  std::string current;
  std::vector<Row> rows;              // the baseline's order, then Aggregated last
  std::vector<std::string> added;     // endpoints only in the new run
  std::vector<std::string> vanished;  // endpoints only in the baseline
  std::vector<Check> checks;          // by rule, then by row

  bool pass() const { return exit_code() == 0; }
  // 0, or the lowest status of the failed checks.
  int exit_code() const;
  // "PASS (4 checks; 1 change within noise)", "FAIL (2 of 4 checks failed; exit status 3)",
  // "no regression budget (--max-regression): not judged".
  std::string summary() const;
};

// The change of FIGURE from A (a run of D_A seconds) to B (D_B seconds).
Change measure(const Figure& figure, const Endpoint& a, double d_a, const Endpoint& b, double d_b);

// Compares NEXT with BASE and applies RULES to every row they match. Throws RuleError for a rule
// whose scope matches no row of either run (a misspelt name must not pass silently).
Comparison compare(const RunData& base, const RunData& next, const std::vector<Rule>& rules);

}  // namespace arrload::compare
