#pragma once
// This process's CPU use and resident memory, for the worker's heartbeat.
#include <chrono>
#include <cstdint>

namespace arrload::cluster {

// Not thread-safe.
class ProcessUsage {
 public:
  ProcessUsage();
  // CPU time used since the previous call (or construction) over the wall time since then, in %
  // of one core (200 = two cores busy).
  double cpu_percent();
  // Resident memory, bytes (0 when /proc is unreadable).
  static std::uint64_t rss_bytes();

 private:
  static double cpu_seconds();
  std::chrono::steady_clock::time_point last_wall_;
  double last_cpu_;
};

}  // namespace arrload::cluster
