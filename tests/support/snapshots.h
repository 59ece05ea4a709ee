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

// Ten seconds of an open-model run beside a closed one, all in the last second:
// - GET /open, scheduled: five requests of 2 ms service time; three on time, one 98 ms late, and
//   one 148 ms late with one start missed 100 ms before it. Corrected samples (intended start to
//   last byte): 2, 2, 2, 100, 150 and the missed start's 50 ms; late starts: 3 (of 6 samples).
// - GET /closed, unscheduled: 1 and 3 ms.
// - 8 iterations started on schedule, 2 dropped (20% of the 10 due).
inline stats::Snapshot scheduled_snapshot() {
  stats::Aggregator agg(0, 1'700'000'000.0);
  stats::Shard shard;
  for (int i = 0; i < 3; ++i) shard.record_scheduled("GET", "/open", 2'000, {0, 0, 0}, 10, false);
  shard.record_scheduled("GET", "/open", 2'000, {98'000, 0, 0}, 10, false);
  shard.record_scheduled("GET", "/open", 2'000, {148'000, 1, 100'000}, 10, false);
  shard.record("GET", "/closed", 1'000, 5, false);
  shard.record("GET", "/closed", 3'000, 5, false);
  shard.add_dropped(2);
  for (int i = 0; i < 8; ++i) shard.add_scheduled();
  agg.absorb(shard.take());
  agg.tick();
  return agg.snapshot(10'000'000, 1'700'000'010.0);
}

// The corrected samples of scheduled_snapshot()'s GET /open, recorded afresh (µs).
inline stats::Histogram open_corrected_times() {
  stats::Histogram h;
  for (std::uint64_t us : {2'000u, 2'000u, 2'000u, 100'000u, 150'000u, 50'000u}) h.record(us);
  return h;
}

}  // namespace arrload::test_support
