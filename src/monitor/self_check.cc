#include "monitor/self_check.h"

#include <sched.h>
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>
#include <utility>

#include <fmt/format.h>

namespace arrload::monitor {

double process_cpu_seconds() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double process_wait_seconds() {
  std::error_code ec;
  double total_ns = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream in(task.path() / "schedstat");
    double on_cpu = 0, waiting = 0;
    if (in >> on_cpu >> waiting) total_ns += waiting;
  }
  return total_ns / 1e9;
}

double available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) {
    return CPU_COUNT(&set);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

SelfCheck::SelfCheck(SelfCheckThresholds thresholds, CpuSecondsReader cpu, MonotonicClock clock,
                     double cores, WaitSecondsReader wait)
    : thresholds_(thresholds),
      cpu_(cpu ? std::move(cpu) : CpuSecondsReader(process_cpu_seconds)),
      clock_(clock ? std::move(clock) : MonotonicClock(core::now_us)),
      cores_(cores > 0 ? cores : available_cores()),
      created_us_(clock_()),
      last_us_(created_us_),
      last_cpu_seconds_(cpu_()),
      wait_(std::move(wait)) {
  // The real run-queue wait goes with the real CPU and clock only: a test's fake interval would
  // turn it into a nonsense rate.
  using Reader = double (*)();
  using Clock = core::Micros (*)();
  const Reader* real_cpu = cpu_.target<Reader>();
  const Clock* real_clock = clock_.target<Clock>();
  if (!wait_ && real_cpu && *real_cpu == &process_cpu_seconds && real_clock &&
      *real_clock == &core::now_us) {
    wait_ = process_wait_seconds;
  }
  last_wait_seconds_ = wait_ ? wait_() : 0;
}

SelfCheckSample SelfCheck::sample(core::Micros scheduled_us) {
  const core::Micros now = clock_();
  return take(now, static_cast<double>(std::max<core::Micros>(0, now - scheduled_us)) / 1000.0);
}

SelfCheckSample SelfCheck::sample() { return take(clock_(), 0); }

SelfCheckSample SelfCheck::take(core::Micros now, double lag_ms) {
  const double cpu_seconds = cpu_();
  const double wall_seconds = static_cast<double>(now - last_us_) / 1e6;
  SelfCheckSample s;
  s.t = static_cast<double>(now - created_us_) / 1e6;
  s.cores = cores_;
  s.lag_ms = lag_ms;
  const double wait_seconds = wait_ ? wait_() : 0;
  if (wall_seconds > 0) {
    s.cpu_percent = std::max(0.0, 100.0 * (cpu_seconds - last_cpu_seconds_) / wall_seconds);
    s.wait_ms_per_s = std::max(0.0, 1000.0 * (wait_seconds - last_wait_seconds_) / wall_seconds);
  }
  last_wait_seconds_ = wait_seconds;
  s.saturated = s.cpu_percent >= thresholds_.cpu_fraction * cores_ * 100.0 ||
                s.lag_ms > thresholds_.lag_ms || s.wait_ms_per_s > thresholds_.wait_ms_per_s;
  last_us_ = now;
  last_cpu_seconds_ = cpu_seconds;
  return s;
}

SelfCheckSummary summarize(const std::vector<SelfCheckSample>& samples) {
  SelfCheckSummary out;
  for (const SelfCheckSample& s : samples) {
    ++out.samples;
    out.saturated_samples += s.saturated ? 1 : 0;
    out.max_cpu_percent = std::max(out.max_cpu_percent, s.cpu_percent);
    out.max_lag_ms = std::max(out.max_lag_ms, s.lag_ms);
    out.max_wait_ms_per_s = std::max(out.max_wait_ms_per_s, s.wait_ms_per_s);
    out.cores = std::max(out.cores, s.cores);
  }
  std::string figures =
      fmt::format("CPU up to {:.0f}% of {:g} core{}, tick lag up to {:.0f} ms", out.max_cpu_percent,
                  out.cores, out.cores == 1 ? "" : "s", out.max_lag_ms);
  // Said only when it matters: a generator whose threads waited for cores other processes held.
  if (out.max_wait_ms_per_s >= 10) {
    figures += fmt::format(", waited for a CPU up to {:.0f} ms per second", out.max_wait_ms_per_s);
  }
  if (out.samples == 0) {
    out.message = "generator not checked (no samples)";
  } else if (out.saturated_samples == 0) {
    out.message = fmt::format("generator OK ({})", figures);
  } else {
    out.message = fmt::format(
        "generator saturated in {} of {} samples ({}): latencies include time the load generator "
        "was busy",
        out.saturated_samples, out.samples, figures);
  }
  return out;
}

}  // namespace arrload::monitor
