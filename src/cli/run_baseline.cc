#include "cli/run_baseline.h"

#include <fmt/format.h>

#include "compare/compare.h"
#include "compare/html.h"
#include "compare/load.h"
#include "compare/output.h"
#include "report/json.h"

namespace arrload::cli {

namespace {

// The criterion's detail: the summary, then the failed checks.
std::string detail_of(const compare::Comparison& c) {
  std::string out = fmt::format("{} against {}", c.summary(), c.baseline);
  for (const compare::Check& k : c.checks) {
    if (k.pass) continue;
    out += fmt::format("; {} {}: {}", k.subject, k.rule.figure.name(), k.describe());
  }
  return out;
}

}  // namespace

bool load_baseline(const RunCommand& cmd, std::optional<BaselineGate>* out) {
  out->reset();
  if (cmd.baseline.empty()) {
    if (cmd.max_regressions.empty()) return true;
    fmt::print(stderr,
               "arrload: --max-regression needs --baseline FILE (the run to compare with)\n");
    return false;
  }
  BaselineGate gate;
  try {
    for (const std::string& text : cmd.max_regressions) {
      gate.rules.push_back(compare::parse_rule(text));
    }
    gate.baseline = compare::load_run(cmd.baseline);
  } catch (const std::runtime_error& e) {  // compare::RuleError, compare::InputError
    fmt::print(stderr, "arrload: --baseline: {}\n", e.what());
    return false;
  }
  *out = std::move(gate);
  return true;
}

BaselineOutcome judge_baseline(const BaselineGate& gate, const stats::Snapshot& snap) {
  // Through the JSON report, so a run is read exactly as `arrload compare` reads its report.
  const compare::RunData current =
      compare::run_from_json(report::json_report(snap, report::RunInfo{}), "this run");
  BaselineOutcome out;
  compare::Comparison c;
  try {
    c = compare::compare(gate.baseline, current, gate.rules);
  } catch (const compare::RuleError& e) {
    // A budget naming nothing either run recorded must not pass silently.
    out.table = fmt::format("Baseline comparison: {}\n", e.what());
    out.criterion = budget::Criterion{"baseline", e.what(), false, budget::kExitBudget};
    return out;
  }
  out.table = "Baseline comparison\n" + compare::comparison_table(c);
  out.html = compare::html_section(c);
  if (!gate.rules.empty()) {
    out.criterion = budget::Criterion{"baseline", detail_of(c), c.pass(), c.exit_code()};
  }
  return out;
}

}  // namespace arrload::cli
