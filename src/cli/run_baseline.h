#pragma once
// `arrload run --baseline FILE [--max-regression EXPR]...`: the run compared with a baseline run
// at its end, as `arrload compare` does (docs/compare.md). The comparison is printed after the
// summary and shown in the HTML report; with regression budgets it joins the verdict as the
// criterion "baseline", whose failure status (3, or 4 for error_rate) takes its place among the
// verdict's (docs/budgets.md, exit statuses).
#include <optional>
#include <string>
#include <vector>

#include "budget/verdict.h"
#include "cli/run_command.h"
#include "compare/rule.h"
#include "compare/run_data.h"
#include "stats/snapshot.h"

namespace arrload::cli {

struct BaselineGate {
  compare::RunData baseline;
  std::vector<compare::Rule> rules;  // none: the comparison is shown, not judged
};

// The gate CMD asks for, read before any load: nullopt in *OUT without --baseline. Prints the
// problem (an unreadable baseline, a bad --max-regression, --max-regression without
// --baseline) and returns false when the run must not start.
bool load_baseline(const RunCommand& cmd, std::optional<BaselineGate>* out);

struct BaselineOutcome {
  std::string table;  // the console comparison (compare::comparison_table)
  std::string html;   // the HTML report's section (compare::html_section)
  // The verdict's criterion "baseline", when regression budgets were given.
  std::optional<budget::Criterion> criterion;
};

// Compares the run's final SNAP with the gate's baseline.
BaselineOutcome judge_baseline(const BaselineGate& gate, const stats::Snapshot& snap);

}  // namespace arrload::cli
