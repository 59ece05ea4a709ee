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
  double lag_ms = 100;        // ... or when the tick fired more than this late ...
  // ... or when its threads together waited this long per second for a CPU (others took it)
  double wait_ms_per_s = 100;
};

struct SelfCheckSample {
  double t = 0;            // seconds since the SelfCheck was made
  double cpu_percent = 0;  // process CPU over the last interval; 100 = one core busy
  double cores = 0;        // cores this process may run on
  double lag_ms = 0;       // how late the caller's tick fired (0 when not measured)
  bool saturated = false;  // cpu_percent >= cpu_fraction x cores x 100, lag_ms > lag_ms, or
                           // wait_ms_per_s > wait_ms_per_s
  // Time this process's threads spent runnable but waiting for a CPU, ms per second of the
  // interval, summed over threads (the kernel's schedstat): high when other processes take the
  // cores the generator needs, whatever its own CPU use.
  double wait_ms_per_s = 0;
};

// Over a run: how often and how badly the generator was saturated.
struct SelfCheckSummary {
  int samples = 0;
  int saturated_samples = 0;
  double max_cpu_percent = 0;
  double max_lag_ms = 0;
  double max_wait_ms_per_s = 0;
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
  using WaitSecondsReader = std::function<double()>;  // run-queue wait of all threads so far, s

  // The defaults read getrusage(RUSAGE_SELF), core::now_us(), the CPUs in this process's
  // affinity mask and, when CPU and CLOCK are the defaults too, the threads' run-queue wait
  // (/proc/self/task/*/schedstat; else none). Tests inject their own readings.
  explicit SelfCheck(SelfCheckThresholds thresholds = {}, CpuSecondsReader cpu = nullptr,
                     MonotonicClock clock = nullptr, double cores = 0,
                     WaitSecondsReader wait = nullptr);

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
  WaitSecondsReader wait_;
  double last_wait_seconds_ = 0;
};

// CPU time used by this process so far (user + system), in seconds (getrusage).
double process_cpu_seconds();
// Seconds this process's threads have spent runnable, waiting for a CPU, so far (the second field
// of /proc/self/task/*/schedstat, summed); 0 where the kernel does not say. Threads that have
// ended no longer count, so a caller compares readings of a steady set of threads.
double process_wait_seconds();
// CPUs this process may run on (sched_getaffinity; hardware_concurrency as a fallback), >= 1.
double available_cores();

SelfCheckSummary summarize(const std::vector<SelfCheckSample>& samples);

}  // namespace arrload::monitor
