#include "monitor/recovery.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include <fmt/format.h>

#include "monitor/preflight.h"

namespace arrload::monitor {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStopCheck = std::chrono::milliseconds(50);

bool stopped(const RecoveryOptions& o) { return o.stop && o.stop(); }

// Sleeps until WHEN in short slices so a stop request is noticed quickly; false when stopped.
bool wait_until(Clock::time_point when, const RecoveryOptions& o) {
  while (Clock::now() < when) {
    if (stopped(o)) return false;
    std::this_thread::sleep_for(std::min<Clock::duration>(kStopCheck, when - Clock::now()));
  }
  return !stopped(o);
}

double latency_limit_ms(const RecoveryOptions& o) {
  if (o.baseline_ms <= 0) return o.health_budget_ms;
  return std::min(o.health_budget_ms, 2 * std::max(o.baseline_ms, o.baseline_floor_ms));
}

}  // namespace

RecoveryResult probe_recovery(const std::string& url, const RecoveryOptions& options) {
  RecoveryResult result;
  result.limit_ms = latency_limit_ms(options);
  const auto timeout = std::chrono::milliseconds(
      std::max<long long>(1, std::llround(std::ceil(options.health_budget_ms))));
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + options.max_wait;
  std::string last_failure;
  Clock::time_point next = start;
  while (true) {
    if (!wait_until(next, options)) {
      result.interrupted = true;
      break;
    }
    PreflightResult probe = check_health(url, timeout);
    ++result.probes;
    result.last_status = probe.status;
    result.last_latency_ms = probe.latency_ms;
    if (probe.ok && probe.latency_ms <= result.limit_ms) {
      result.recovered = true;
      break;
    }
    last_failure = probe.ok ? fmt::format("status 200 in {:.1f} ms, over the {:.1f} ms limit",
                                          probe.latency_ms, result.limit_ms)
                            : probe.message;
    // A probe that overran the interval is followed by the next at once, not by a burst.
    next = std::max(next + options.interval, Clock::now());
    if (next > deadline) break;
  }
  result.seconds_to_recover = std::chrono::duration<double>(Clock::now() - start).count();
  const char* plural = result.probes == 1 ? "" : "s";
  if (result.recovered) {
    result.message =
        fmt::format("recovered after {:.1f} s ({} probe{}; status 200 in {:.1f} ms)",
                    result.seconds_to_recover, result.probes, plural, result.last_latency_ms);
  } else if (result.interrupted) {
    result.message =
        fmt::format("interrupted after {:.1f} s ({} probe{}); last: {}", result.seconds_to_recover,
                    result.probes, plural, last_failure.empty() ? "no probe" : last_failure);
  } else {
    result.message =
        fmt::format("not recovered within {} ({} probe{}); last: {}",
                    format_timeout(options.max_wait), result.probes, plural, last_failure);
  }
  return result;
}

}  // namespace arrload::monitor
