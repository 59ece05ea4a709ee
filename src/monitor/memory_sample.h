#pragma once
// One reading of the target's resident memory, as the sampler records it and the leak detector
// judges it. Plain data, no I/O.
#include <cstdint>

namespace arrload::monitor {

struct MemorySample {
  double t_seconds = 0;         // seconds since the sampler started (the start of the load)
  std::uint64_t rss_bytes = 0;  // resident set size in bytes; 0 when !ok
  bool ok = false;              // false: the reading failed (kept so the gaps show)
  double unix_seconds = 0;      // wall-clock time of the reading, for the CSV's Timestamp
};

}  // namespace arrload::monitor
