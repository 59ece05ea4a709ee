#pragma once
// The judge: holds the final statistics against the budgets and decides PASS or FAIL.
#include <optional>
#include <string>
#include <vector>

#include "budget/budget.h"
#include "budget/window.h"
#include "stats/snapshot.h"

namespace arrload::budget {

// Exit statuses of a judged run (docs/budgets.md). A run that fails several criteria exits with
// the first failing one in this order.
inline constexpr int kExitBudget = 3;  // a latency, throughput, late or dropped budget was breached
inline constexpr int kExitErrorRate = 4;  // the error-rate budget was breached
inline constexpr int kExitMemory = 5;     // the target's memory grew (leak)
inline constexpr int kExitRecovery = 6;   // the target did not recover after the load
inline constexpr int kExitPreflight = 7;  // pre-flight failed: no load was sent
// The run was stopped from outside (signal, web UI stop) before its planned end: its numbers are
// partial, whatever the budgets say. k6 uses the same status for an external abort. It wins over
// every other status.
inline constexpr int kExitInterrupted = 105;

// One line of the verdict: a rule applied to one subject.
struct Check {
  std::string subject;   // "GET /health", or "run" for the whole run
  std::string category;  // the endpoint's category; "" for the run
  Threshold threshold;
  std::string origin;  // where the rule was written
  double actual = 0;   // in the threshold's unit (ms, fraction, requests/s)
  bool has_data = true;
  bool pass = true;
  // A time metric judged on corrected response times (from each request's intended start):
  // the subject recorded scheduled samples and the rule did not ask for service times.
  bool corrected = false;
  // A late-start or dropped share of a subject with nothing scheduled: judged as 0.
  bool nothing_scheduled = false;
  std::optional<WindowResult> window;  // a windowed rule: its windows (actual = the worst)
  std::string margin;                  // "+120 ms (24% over)", "-300 ms"
  // The exit status this check's failure maps to.
  int exit_code() const;
  // "620 ms", "620 ms (corrected)", "1.8%", "97.3/s", "0% (nothing scheduled)", "no requests".
  std::string describe_actual() const;
};

// A criterion judged outside the stats (memory, recovery, pre-flight), reported with the checks.
struct Criterion {
  std::string name;    // "memory", "recovery"
  std::string detail;  // "start 120 MiB, peak 180 MiB, end 179 MiB, +2.1 MiB/min"
  bool pass = true;
  int exit_code = 0;  // on failure
};

struct Verdict {
  std::vector<Check> checks;
  std::vector<Criterion> criteria;
  std::vector<std::string> notes;  // e.g. "the generator was saturated for 12 s"
  bool pass() const;
  int exit_code() const;  // 0 on PASS
  // A criterion with kExitInterrupted failed: the run did not reach its planned end.
  bool interrupted() const;
  // "PASS (12 checks)", "FAIL (1 of 12 checks failed; exit status 3)", or
  // "INTERRUPTED (results are partial; 0 of 12 checks failed; exit status 105)".
  std::string summary() const;
};

// The criterion that marks a run stopped before its planned end; DETAIL says how.
Criterion interrupted_criterion(std::string detail);

// Judges SNAP against BUDGETS. Each endpoint (every row but Aggregated) gets the rules of its
// category; an endpoint rule replaces the category rule for the same quantity; run rules apply
// to the Aggregated row. A rule naming an endpoint or category that recorded nothing fails with
// "no requests" (a misspelt name must not pass silently). Rates are over SNAP.elapsed_s.
// Response times are the corrected ones (stats/corrected.h) unless a rule asks for service times;
// late-start and dropped shares of a subject with nothing scheduled are 0.
// Windowed rules ("every 30s") are judged from WINDOWS, worst window first; without WINDOWS, or
// when no window had requests, they fail as having no data.
Verdict judge(const stats::Snapshot& snap, const Budgets& budgets,
              const WindowJudge* windows = nullptr);

}  // namespace arrload::budget
