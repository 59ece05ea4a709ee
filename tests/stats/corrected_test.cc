#include "stats/corrected.h"

#include <gtest/gtest.h>

#include "support/snapshots.h"

namespace arrload::stats {
namespace {

using test_support::open_corrected_times;
using test_support::scheduled_snapshot;
using test_support::two_endpoints_snapshot;

const EndpointStats& row(const Snapshot& snap, const std::string& name) {
  for (const EndpointStats& e : snap.endpoints) {
    if (e.key.name == name) return e;
  }
  throw std::runtime_error("no row " + name);
}

TEST(CorrectedLatency, IntendedTimesOfAScheduledEndpointServiceTimesOfAnyOther) {
  const Snapshot snap = scheduled_snapshot();
  const Entry& open = row(snap, "/open").total;
  const Entry& closed = row(snap, "/closed").total;
  EXPECT_TRUE(is_scheduled(open));
  EXPECT_FALSE(is_scheduled(closed));
  EXPECT_EQ(&corrected_latency(open), &open.intended);
  EXPECT_EQ(&corrected_latency(closed), &closed.latency);
  EXPECT_EQ(corrected_latency(open), open_corrected_times());
  EXPECT_EQ(open.num_requests, 5u);  // one sample more than requests: the missed start
}

TEST(CorrectedLatency, TheAggregatedRowMergesEveryEndpointsCorrectedTimes) {
  const Snapshot snap = scheduled_snapshot();
  Histogram expected = open_corrected_times();
  expected.record(1'000);
  expected.record(3'000);
  EXPECT_EQ(aggregated_corrected_latency(snap), expected);
  // Over any span: the last second held everything.
  EXPECT_EQ(aggregated_corrected_latency(snap, &EndpointStats::last_second), expected);
}

TEST(CorrectedLatency, AllScheduledOrNoneScheduledNeedsNoMerge) {
  const Snapshot closed = two_endpoints_snapshot();
  EXPECT_EQ(aggregated_corrected_latency(closed), closed.aggregated.total.latency);
  Snapshot open = scheduled_snapshot();
  std::erase_if(open.endpoints, [](const EndpointStats& e) { return e.key.name == "/closed"; });
  open.aggregated.total = row(open, "/open").total;
  EXPECT_EQ(aggregated_corrected_latency(open), open_corrected_times());
}

TEST(CorrectedLatency, HasScheduleOnlyWithScheduledSamplesOrIterations) {
  EXPECT_FALSE(has_schedule(two_endpoints_snapshot()));
  EXPECT_TRUE(has_schedule(scheduled_snapshot()));
  Snapshot dropped_only = two_endpoints_snapshot();
  dropped_only.dropped_iterations = 1;
  EXPECT_TRUE(has_schedule(dropped_only));
}

TEST(CorrectedLatency, Shares) {
  const Snapshot snap = scheduled_snapshot();
  EXPECT_DOUBLE_EQ(late_start_share(row(snap, "/open").total), 0.5);  // 3 of 6 samples
  EXPECT_DOUBLE_EQ(late_start_share(row(snap, "/closed").total), 0.0);
  EXPECT_DOUBLE_EQ(late_start_share(snap.aggregated.total), 0.5);  // of the scheduled samples
  EXPECT_EQ(dropped_share(snap.dropped_iterations, snap.scheduled_iterations), 0.2);
  EXPECT_EQ(dropped_share(0, 0), std::nullopt);
  EXPECT_EQ(dropped_share(0, 5), 0.0);
}

}  // namespace
}  // namespace arrload::stats
