#include "cli/run_monitoring.h"

#include <cstdio>
#include <stdexcept>

#include <fmt/format.h>

namespace arrload::cli {

std::string resolve_health_url(const std::string& health, const std::string& host) {
  if (health.empty()) return {};
  if (health.rfind("http://", 0) == 0 || health.rfind("https://", 0) == 0) return health;
  std::string base = host;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + (health.front() == '/' ? "" : "/") + health;
}

double health_budget_ms(const budget::Budgets& budgets) {
  for (const budget::Rule& r : budgets.rules) {
    if (r.scope.kind == budget::Scope::Kind::kCategory && r.scope.category == "health" &&
        r.threshold.metric == budget::Metric::kPercentile && r.threshold.percentile == 95) {
      return r.threshold.limit;
    }
  }
  return 1000;
}

std::unique_ptr<monitor::MemorySource> memory_source(const MonitorSettings& s) {
  if (s.target_pid > 0 && !s.target_metrics.empty()) {
    throw std::invalid_argument("give --target-pid or --target-metrics, not both");
  }
  if (s.target_pid > 0) return monitor::make_pid_source(s.target_pid);
  if (!s.target_metrics.empty()) return monitor::make_metrics_source(s.target_metrics);
  return nullptr;
}

budget::Criterion memory_criterion(const monitor::LeakVerdict& v, const std::string& source) {
  budget::Criterion c;
  c.name = "memory";
  c.exit_code = budget::kExitMemory;
  c.pass = v.state != monitor::LeakVerdict::kGrowing;
  const double mib = 1024.0 * 1024.0;
  c.detail =
      fmt::format("{} ({}): start {:.1f} MiB, peak {:.1f} MiB, end {:.1f} MiB, {:+.2f} MiB/min",
                  monitor::to_string(v.state), source, static_cast<double>(v.start_bytes) / mib,
                  static_cast<double>(v.peak_bytes) / mib, static_cast<double>(v.end_bytes) / mib,
                  v.growth_mib_per_minute);
  if (v.state == monitor::LeakVerdict::kNotEnoughData) {
    c.detail = fmt::format("not enough data ({}): {}", source, v.explanation);
  }
  return c;
}

budget::Criterion recovery_criterion(const monitor::RecoveryResult& r) {
  budget::Criterion c;
  c.name = "recovery";
  c.exit_code = budget::kExitRecovery;
  c.pass = r.recovered || r.interrupted;
  c.detail = r.interrupted ? "interrupted (not judged): " + r.message : r.message;
  return c;
}

const monitor::SelfCheckSample& GeneratorWatch::tick() {
  const core::Micros now = core::now_us();
  // The control thread's tick is meant to come once a second: lateness beyond that is lag.
  const core::Micros scheduled = last_tick_ == 0 ? now : last_tick_ + 1'000'000;
  last_tick_ = now;
  monitor::SelfCheckSample s = check_.sample(scheduled);
  samples_.push_back(s);
  if (s.saturated && s.t - last_warning_t_ >= 10) {
    last_warning_t_ = s.t;
    fmt::print(stderr,
               "arrload: WARNING: the load generator is saturated (CPU {:.0f}% of {:g} cores, "
               "tick {:.0f} ms late): latencies now include time arrload itself was busy\n",
               s.cpu_percent, s.cores, s.lag_ms);
  }
  return samples_.back();
}

}  // namespace arrload::cli
