#pragma once
// Recovery probe: after the load stops, how long the target takes to answer its health check
// normally again. See docs/monitoring.md ("Recovery probe").
#include <chrono>
#include <functional>
#include <string>

namespace arrload::monitor {

struct RecoveryOptions {
  std::chrono::milliseconds max_wait{60'000};  // no probe starts after this long
  std::chrono::milliseconds interval{1'000};   // between probe starts
  // A probe must answer 200 within this (ms); it is also the probe's timeout.
  double health_budget_ms = 1'000;
  // The health check's latency before the load (check_health().latency_ms); a probe must also
  // answer within 2x max(baseline_ms, baseline_floor_ms). <= 0: no baseline condition.
  double baseline_ms = 0;
  // Baselines below this (ms) count as this: 2x a 0.3 ms loopback answer would fail on any
  // scheduling hiccup, so "recovered" is judged against at least 2x 5 ms.
  double baseline_floor_ms = 5;
  // When set and it returns true, the probe stops (between probes, asked every 50 ms) with
  // interrupted. For Ctrl-C.
  std::function<bool()> stop;
};

struct RecoveryResult {
  bool recovered = false;
  bool interrupted = false;       // RecoveryOptions::stop returned true first
  double seconds_to_recover = 0;  // from the call to the end of the first healthy probe; when
                                  // not recovered, the time spent probing
  int probes = 0;                 // probes sent
  int last_status = 0;            // of the last probe (0: none arrived)
  double last_latency_ms = 0;     // of the last probe
  double limit_ms = 0;            // the latency a probe had to beat: min(budget, 2x baseline)
  // One line: "recovered after 3.2 s (4 probes; status 200 in 1.1 ms)" or the last failure,
  // e.g. "not recovered within 60 s (60 probes); last: status 503 (body: ...)".
  std::string message;
};

// Probes URL (check_health) at once and then every OPTIONS.interval until a probe answers 200
// within the latency limit (see RecoveryOptions), OPTIONS.max_wait has passed, or OPTIONS.stop
// is set. Blocks the calling thread for at most max_wait + health_budget_ms (a probe in flight
// is bounded by its timeout). Never throws.
RecoveryResult probe_recovery(const std::string& url, const RecoveryOptions& options);

}  // namespace arrload::monitor
