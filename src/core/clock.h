#pragma once
// Time sources. All latencies in arrload are microseconds from a monotonic clock.
#include <chrono>
#include <cstdint>

namespace arrload::core {

// Microseconds; the unit of every latency and deadline in arrload.
using Micros = std::int64_t;

// Monotonic time in microseconds since an arbitrary epoch. Never goes backwards.
inline Micros now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Wall-clock time as Unix seconds (with fraction); only for timestamps in reports.
inline double wall_unix_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace arrload::core
