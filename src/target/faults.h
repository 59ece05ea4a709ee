#pragma once
// Fault injection for testing the judge against a misbehaving service: the knobs of
// Options::faults and of the admin endpoint /__target/faults (docs/target.md). Faults apply to
// the AutoArr routes (route groups health, read, write, slow), never to /__target/* or /metrics,
// so a test can always turn them off again.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "target/router.h"

namespace boost::json {
class object;
}

namespace arrload::target {

struct FaultConfig {
  double error_ratio_health =
      0;  // fraction (0..1) of health-group requests answered with error_status
  double error_ratio_read = 0;         // the same for the read group
  double error_ratio_write = 0;        // ... the write group
  double error_ratio_slow = 0;         // ... the slow group (config audit, chat)
  int error_status = 500;              // the injected errors' status: 500, 502 or 503
  double added_latency_ms = 0;         // added to every response, not scaled by latency_scale
  double added_latency_health_ms = 0;  // added to the health group's responses, on top
  double added_latency_read_ms = 0;    // ... the read group's
  double added_latency_write_ms = 0;   // ... the write group's
  double added_latency_slow_ms = 0;    // ... the slow group's
  double stall_seconds = 0;            // length of each stall (no response is sent during one)
  double stall_every_seconds = 0;  // a stall starts every this many seconds; 0 = never. The first
                                   // starts when the knob is set (server start, or the PUT)
  double reset_ratio = 0;          // fraction (0..1) of requests answered with a TCP reset
  double leak_mib_per_minute = 0;  // RSS growth (MiB per minute) while requests arrive
  double warmup_seconds = 0;       // /health/ready answers 503 this long after start (or the PUT)
};

// CONFIG as the JSON object the admin endpoint shows (one key per field, same names).
boost::json::object fault_config_json(const FaultConfig& config);
// Sets the fields named in OBJ on *CONFIG (others keep their values); an error message naming
// the first unknown key or invalid value, then *CONFIG is unchanged.
std::optional<std::string> update_fault_config(const boost::json::object& obj, FaultConfig* config);

// The live state of the knobs. Thread-safe; cheap when no fault is set (one atomic load).
class Faults {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kMaxLeakBytes = std::size_t{4} << 30;  // a runaway leak stops here

  explicit Faults(const FaultConfig& initial);  // the stall and warm-up clocks start now

  FaultConfig config() const;
  // Replaces the config. RESTART_STALLS and RESTART_WARMUP restart those clocks from now.
  void set(const FaultConfig& config, bool restart_stalls, bool restart_warmup);
  // No faults, and the leaked memory is freed.
  void clear();

  // The status to answer a request of GROUP with instead of running it, drawn per request.
  std::optional<int> draw_error(RouteGroup group);
  // Whether to answer a request of GROUP with a TCP reset, drawn per request.
  bool draw_reset(RouteGroup group);
  // How long to hold a response of GROUP that is ready at NOW: added latency, then the rest of
  // the stall under way when that ends.
  Clock::duration hold(RouteGroup group, Clock::time_point now);
  // Grows the leak for a request of GROUP arriving at NOW.
  void on_request(RouteGroup group, Clock::time_point now);

  bool warming_up(Clock::time_point now = Clock::now()) const;
  std::string warmup_done_at() const;  // ISO time the warm-up ended (or will end)
  std::size_t leaked_bytes() const;

  std::atomic<std::uint64_t> injected_errors{0};
  std::atomic<std::uint64_t> injected_resets{0};
  std::atomic<std::uint64_t> held_responses{0};  // responses delayed by a stall

 private:
  bool any_active() const { return active_.load(std::memory_order_relaxed); }
  void update_active();  // REQUIRES: mu_ held

  mutable std::mutex mu_;
  FaultConfig config_;                             // guarded by mu_
  Clock::time_point stalls_since_;                 // guarded by mu_
  Clock::time_point warmup_until_;                 // guarded by mu_
  std::string warmup_done_at_;                     // guarded by mu_
  std::vector<std::unique_ptr<char[]>> leak_;      // guarded by mu_; 1 MiB chunks, all touched
  double leak_owed_bytes_ = 0;                     // guarded by mu_
  std::optional<Clock::time_point> last_request_;  // guarded by mu_
  std::atomic<bool> active_{false};                // any knob but warm-up set
};

}  // namespace arrload::target
