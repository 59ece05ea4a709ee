#pragma once
// Small fixed snapshots for the tests of what is written from one (reports, the web API).
#include <cstdint>

#include "stats/aggregator.h"

namespace arrload::test_support {

// Ten seconds: GET /b four times (1.5, 3, 4.5 and 6 ms, 10 bytes each) and one failed POST /a
// (2.5 ms, 7 bytes), all in the last second.
inline stats::Snapshot two_endpoints_snapshot() {
  stats::Aggregator agg(0, 1'700'000'000.0);
  stats::Shard shard;
  for (int i = 1; i <= 4; ++i) {
    shard.record("GET", "/b", static_cast<std::uint64_t>(i) * 1500, 10, false);
  }
  shard.record("POST", "/a", 2500, 7, true, "HTTPError('500 Server Error')");
  agg.absorb(shard.take());
  agg.tick();
  return agg.snapshot(10'000'000, 1'700'000'010.0);
}

}  // namespace arrload::test_support
