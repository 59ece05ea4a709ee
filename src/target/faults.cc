#include "target/faults.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>
#include <boost/json/value.hpp>

#include "target/latency_model.h"
#include "target/routes.h"

namespace arrload::target {
namespace {

namespace json = boost::json;

constexpr std::size_t kLeakChunk = std::size_t{1} << 20;
// A gap between requests longer than this does not count as load for the leak.
constexpr double kLeakMaxGapSeconds = 1.0;

struct Knob {
  const char* name;
  double FaultConfig::*field;
  double max;  // values must be in [0, max]
};

constexpr Knob kKnobs[] = {
    {"error_ratio_health", &FaultConfig::error_ratio_health, 1},
    {"error_ratio_read", &FaultConfig::error_ratio_read, 1},
    {"error_ratio_write", &FaultConfig::error_ratio_write, 1},
    {"error_ratio_slow", &FaultConfig::error_ratio_slow, 1},
    {"added_latency_ms", &FaultConfig::added_latency_ms, 600'000},
    {"added_latency_health_ms", &FaultConfig::added_latency_health_ms, 600'000},
    {"added_latency_read_ms", &FaultConfig::added_latency_read_ms, 600'000},
    {"added_latency_write_ms", &FaultConfig::added_latency_write_ms, 600'000},
    {"added_latency_slow_ms", &FaultConfig::added_latency_slow_ms, 600'000},
    {"stall_seconds", &FaultConfig::stall_seconds, 3600},
    {"stall_every_seconds", &FaultConfig::stall_every_seconds, 86'400},
    {"reset_ratio", &FaultConfig::reset_ratio, 1},
    {"leak_mib_per_minute", &FaultConfig::leak_mib_per_minute, 1'000'000},
    {"warmup_seconds", &FaultConfig::warmup_seconds, 86'400},
};

double error_ratio(const FaultConfig& c, RouteGroup group) {
  switch (group) {
    case RouteGroup::kHealth:
      return c.error_ratio_health;
    case RouteGroup::kRead:
      return c.error_ratio_read;
    case RouteGroup::kWrite:
      return c.error_ratio_write;
    case RouteGroup::kSlow:
      return c.error_ratio_slow;
    case RouteGroup::kInternal:
      return 0;
  }
  return 0;
}

// The latency added to GROUP's responses: the knob for all, plus the group's own.
double added_latency(const FaultConfig& c, RouteGroup group) {
  switch (group) {
    case RouteGroup::kHealth:
      return c.added_latency_ms + c.added_latency_health_ms;
    case RouteGroup::kRead:
      return c.added_latency_ms + c.added_latency_read_ms;
    case RouteGroup::kWrite:
      return c.added_latency_ms + c.added_latency_write_ms;
    case RouteGroup::kSlow:
      return c.added_latency_ms + c.added_latency_slow_ms;
    case RouteGroup::kInternal:
      return 0;
  }
  return 0;
}

template <typename Duration>
Faults::Clock::duration to_clock(Duration d) {
  return std::chrono::duration_cast<Faults::Clock::duration>(d);
}

Faults::Clock::duration seconds(double s) { return to_clock(std::chrono::duration<double>(s)); }

}  // namespace

json::object fault_config_json(const FaultConfig& config) {
  json::object out;
  for (const Knob& k : kKnobs) out[k.name] = config.*k.field;
  out["error_status"] = config.error_status;
  return out;
}

std::optional<std::string> update_fault_config(const json::object& obj, FaultConfig* config) {
  FaultConfig next = *config;
  for (const auto& [key, value] : obj) {
    if (key == "error_status") {
      const std::int64_t* status = value.if_int64();
      if (status == nullptr || (*status != 500 && *status != 502 && *status != 503)) {
        return "error_status must be 500, 502 or 503";
      }
      next.error_status = static_cast<int>(*status);
      continue;
    }
    const Knob* knob = std::find_if(std::begin(kKnobs), std::end(kKnobs),
                                    [&key = key](const Knob& k) { return key == k.name; });
    if (knob == std::end(kKnobs))
      return fmt::format("unknown fault knob '{}'", std::string_view(key));
    if (!value.is_number()) return fmt::format("{} must be a number", knob->name);
    const double v = value.to_number<double>();
    if (!(v >= 0 && v <= knob->max)) {
      return fmt::format("{} must be between 0 and {}", knob->name, knob->max);
    }
    next.*knob->field = v;
  }
  if (next.stall_every_seconds > 0 && next.stall_seconds >= next.stall_every_seconds) {
    return "stall_seconds must be shorter than stall_every_seconds";
  }
  *config = next;
  return std::nullopt;
}

Faults::Faults(const FaultConfig& initial) { set(initial, true, true); }

FaultConfig Faults::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

void Faults::set(const FaultConfig& config, bool restart_stalls, bool restart_warmup) {
  std::lock_guard lock(mu_);
  config_ = config;
  const Clock::time_point now = Clock::now();
  if (restart_stalls) stalls_since_ = now;
  if (restart_warmup) {
    warmup_until_ = now + seconds(config.warmup_seconds);
    warmup_done_at_ = iso_time(std::chrono::system_clock::now() +
                               std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                   std::chrono::duration<double>(config.warmup_seconds)));
  }
  update_active();
}

void Faults::clear() {
  std::vector<std::unique_ptr<char[]>> freed;
  std::lock_guard lock(mu_);
  config_ = FaultConfig{};
  warmup_until_ = Clock::now();
  freed.swap(leak_);
  leak_owed_bytes_ = 0;
  update_active();
}

void Faults::update_active() {
  const FaultConfig& c = config_;
  active_ = c.error_ratio_health > 0 || c.error_ratio_read > 0 || c.error_ratio_write > 0 ||
            c.error_ratio_slow > 0 || c.added_latency_ms > 0 || c.added_latency_health_ms > 0 ||
            c.added_latency_read_ms > 0 || c.added_latency_write_ms > 0 ||
            c.added_latency_slow_ms > 0 || (c.stall_seconds > 0 && c.stall_every_seconds > 0) ||
            c.reset_ratio > 0 || c.leak_mib_per_minute > 0;
}

std::optional<int> Faults::draw_error(RouteGroup group) {
  if (!any_active() || group == RouteGroup::kInternal) return std::nullopt;
  double ratio = 0;
  int status = 500;
  {
    std::lock_guard lock(mu_);
    ratio = error_ratio(config_, group);
    status = config_.error_status;
  }
  if (ratio <= 0 || unit_random() >= ratio) return std::nullopt;
  ++injected_errors;
  return status;
}

bool Faults::draw_reset(RouteGroup group) {
  if (!any_active() || group == RouteGroup::kInternal) return false;
  double ratio = 0;
  {
    std::lock_guard lock(mu_);
    ratio = config_.reset_ratio;
  }
  if (ratio <= 0 || unit_random() >= ratio) return false;
  ++injected_resets;
  return true;
}

Faults::Clock::duration Faults::hold(RouteGroup group, Clock::time_point now) {
  if (!any_active() || group == RouteGroup::kInternal) return {};
  std::lock_guard lock(mu_);
  const Clock::duration added =
      to_clock(std::chrono::duration<double, std::milli>(added_latency(config_, group)));
  if (config_.stall_seconds <= 0 || config_.stall_every_seconds <= 0) return added;
  const Clock::time_point ready = now + added;
  const Clock::duration period = seconds(config_.stall_every_seconds);
  const Clock::duration stall = seconds(config_.stall_seconds);
  const Clock::duration phase = (ready - stalls_since_) % period;
  if (phase >= stall) return added;
  ++held_responses;
  return added + (stall - phase);
}

void Faults::on_request(RouteGroup group, Clock::time_point now) {
  if (!any_active() || group == RouteGroup::kInternal) return;
  std::lock_guard lock(mu_);
  const double per_second = config_.leak_mib_per_minute * double(kLeakChunk) / 60.0;
  if (last_request_ && per_second > 0) {
    const double gap = std::chrono::duration<double>(now - *last_request_).count();
    leak_owed_bytes_ += per_second * std::clamp(gap, 0.0, kLeakMaxGapSeconds);
  }
  last_request_ = now;
  while (leak_owed_bytes_ >= double(kLeakChunk) && leak_.size() * kLeakChunk < kMaxLeakBytes) {
    auto chunk = std::make_unique<char[]>(kLeakChunk);
    // Written, not just allocated: untouched pages would not count as resident.
    std::memset(chunk.get(), 0x5A, kLeakChunk);
    leak_.push_back(std::move(chunk));
    leak_owed_bytes_ -= double(kLeakChunk);
  }
}

bool Faults::warming_up(Clock::time_point now) const {
  std::lock_guard lock(mu_);
  return now < warmup_until_;
}

std::string Faults::warmup_done_at() const {
  std::lock_guard lock(mu_);
  return warmup_done_at_;
}

std::size_t Faults::leaked_bytes() const {
  std::lock_guard lock(mu_);
  return leak_.size() * kLeakChunk;
}

}  // namespace arrload::target
