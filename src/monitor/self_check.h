#pragma once
// Generator self-check: is the load generator itself the bottleneck? Once a second the caller
// takes a sample of this process's CPU use and of how late its 1 s tick fired; a saturated
// generator makes latencies look worse than the target's. See docs/monitoring.md.
#include <functional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace arrload::monitor {

struct SelfCheckThresholds {
  double cpu_fraction = 0.9;  // saturated at this fraction of all cores' CPU (0.9 = 90%) ...
  double lag_ms = 100;        // ... or when the tick fired more than this late
};

struct SelfCheckSample {
  double t = 0;            // seconds since the SelfCheck was made
  double cpu_percent = 0;  // process CPU over the last interval; 100 = one core busy
  double cores = 0;        // cores this process may run on
  double lag_ms = 0;       // how late the caller's tick fired (0 when not measured)
  bool saturated = false;  // cpu_percent >= cpu_fraction x cores x 100, or lag_ms > lag_ms
};

// Over a run: how often and how badly the generator was saturated.
struct SelfCheckSummary {
  int samples = 0;
  int saturated_samples = 0;
  double max_cpu_percent = 0;
  double max_lag_ms = 0;
  double cores = 0;
  // One line: "generator OK (CPU up to 35% of 2 cores, tick lag up to 3 ms)" or
  // "generator saturated in 12 of 60 samples (CPU up to 196% of 2 cores, tick lag up to 340 ms):
  // latencies include time the load generator was busy".
  std::string message;
};

// Not thread-safe: one caller (the control thread's 1 s tick) samples.
class SelfCheck {
 public:
  using CpuSecondsReader = std::function<double()>;  // process CPU time (user + system), s
  using MonotonicClock = std::function<core::Micros()>;

  // The defaults read getrusage(RUSAGE_SELF), core::now_us() and the CPUs in this process's
  // affinity mask. Tests inject their own readings.
  explicit SelfCheck(SelfCheckThresholds thresholds = {}, CpuSecondsReader cpu = nullptr,
                     MonotonicClock clock = nullptr, double cores = 0);

  // A sample over the time since the previous one (or construction). SCHEDULED_US: when the
  // caller's tick was due (core::now_us() clock); the lag is now - SCHEDULED_US, at least 0.
  SelfCheckSample sample(core::Micros scheduled_us);
  // The same without a tick: lag 0.
  SelfCheckSample sample();

  const SelfCheckThresholds& thresholds() const { return thresholds_; }
  double cores() const { return cores_; }

 private:
  SelfCheckSample take(core::Micros now, double lag_ms);

  SelfCheckThresholds thresholds_;
  CpuSecondsReader cpu_;
  MonotonicClock clock_;
  double cores_;
  core::Micros created_us_;
  core::Micros last_us_;
  double last_cpu_seconds_;
};

// CPU time used by this process so far (user + system), in seconds (getrusage).
double process_cpu_seconds();
// CPUs this process may run on (sched_getaffinity; hardware_concurrency as a fallback), >= 1.
double available_cores();

SelfCheckSummary summarize(const std::vector<SelfCheckSample>& samples);

}  // namespace arrload::monitor
