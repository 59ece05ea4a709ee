#pragma once
// What `arrload run` does around the load: the pre-flight health check, the target's memory
// sampled during the run and judged for a leak, the recovery probe after it, and the
// generator's self-check (src/monitor/ does the work; this decides when and what it means for
// the verdict).
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "budget/budget.h"
#include "budget/verdict.h"
#include "monitor/leak.h"
#include "monitor/memory.h"
#include "monitor/recovery.h"
#include "monitor/self_check.h"

namespace arrload::cli {

struct MonitorSettings {
  std::string health_url;  // "" = no pre-flight and no recovery probe
  bool preflight = true;
  std::chrono::milliseconds preflight_timeout{10'000};
  std::chrono::milliseconds recovery_wait{60'000};  // 0 = no recovery probe
  int target_pid = 0;
  std::string target_metrics;
  monitor::LeakThresholds leak;
};

// HEALTH (a path or a URL) resolved against HOST (a base URL); "" when HEALTH is empty.
std::string resolve_health_url(const std::string& health, const std::string& host);

// The p95 budget of the `health` category in BUDGETS (ms), else 1000.
double health_budget_ms(const budget::Budgets& budgets);

// The memory source the settings name (pid or metrics URL), or null when none. Throws
// std::invalid_argument with a message for a bad pid or URL.
std::unique_ptr<monitor::MemorySource> memory_source(const MonitorSettings& s);

// The verdict lines for memory and recovery.
budget::Criterion memory_criterion(const monitor::LeakVerdict& v, const std::string& source);
budget::Criterion recovery_criterion(const monitor::RecoveryResult& r);

// Watches the generator once a second; warns on the console (at most every 10 s) while it is
// saturated. Not thread-safe: the control thread's tick calls tick().
class GeneratorWatch {
 public:
  // Samples this process's CPU and tick lag (warning when saturated); returns the sample.
  const monitor::SelfCheckSample& tick();
  monitor::SelfCheckSummary summary() const { return monitor::summarize(samples_); }

 private:
  monitor::SelfCheck check_;
  std::vector<monitor::SelfCheckSample> samples_;
  core::Micros last_tick_ = 0;
  double last_warning_t_ = -1e9;
};

}  // namespace arrload::cli
