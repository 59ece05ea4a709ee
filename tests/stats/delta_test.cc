#include "stats/delta.h"

#include <gtest/gtest.h>

#include "stats/aggregator.h"
#include "stats/shard.h"

namespace arrload::stats {
namespace {

TEST(DeltaTest, AddCountsEachShardInItsSecond) {
  Shard shard;
  Delta d;
  shard.record("GET", "/a", 100, 5, false);
  shard.record("GET", "/a", 200, 5, true, "HTTP 500");
  d.add(shard.take(), 100);
  shard.record("GET", "/a", 300, 5, false);
  shard.record("POST", "/b", 400, 0, true, "timeout");
  d.add(shard.take(), 102);
  d.add(shard.take(), 103);  // an empty take adds nothing, not even an empty second

  ASSERT_EQ(d.endpoints.size(), 2u);
  const EndpointDelta& a = d.endpoints.at(EndpointKey{"GET", "/a"});
  EXPECT_EQ(a.entry.num_requests, 3u);
  EXPECT_EQ(a.entry.num_failures, 1u);
  EXPECT_EQ(a.entry.content_bytes, 15u);
  EXPECT_EQ(a.entry.latency.sum(), 600u);
  ASSERT_EQ(a.per_second.size(), 2u);
  EXPECT_EQ(a.per_second.at(100), (SecondCounts{2, 1}));
  EXPECT_EQ(a.per_second.at(102), (SecondCounts{1, 0}));
  const EndpointDelta& b = d.endpoints.at(EndpointKey{"POST", "/b"});
  EXPECT_EQ(b.per_second.at(102), (SecondCounts{1, 1}));
  ASSERT_EQ(d.errors.size(), 2u);
  EXPECT_EQ(d.errors.at(ErrorKey{"POST", "/b", "timeout"}).occurrences, 1u);
}

TEST(DeltaTest, MergeSumsCountsAndSpansErrorTimes) {
  Delta x, y;
  const ErrorKey key{"GET", "/a", "timeout"};
  x.errors[key] = {2, 50.0, 60.0};
  y.errors[key] = {3, 40.0, 55.0};
  y.errors[ErrorKey{"GET", "/b", "timeout"}] = {1, 45.0, 45.0};
  x.endpoints[EndpointKey{"GET", "/a"}].per_second[7] = {4, 1};
  y.endpoints[EndpointKey{"GET", "/a"}].per_second[7] = {6, 2};
  y.endpoints[EndpointKey{"GET", "/a"}].per_second[8] = {1, 0};
  x.add_exception("KeyError", 2);
  y.add_exception("KeyError");
  y.add_exception("other", 0);  // nothing to add
  x.dropped_iterations = 2;
  y.dropped_iterations = 5;
  x.merge(y);
  EXPECT_EQ(x.dropped_iterations, 7u);
  EXPECT_EQ(x.errors.at(key), (ErrorCount{5, 40.0, 60.0}));
  EXPECT_EQ(x.errors.size(), 2u);
  const auto& seconds = x.endpoints.at(EndpointKey{"GET", "/a"}).per_second;
  EXPECT_EQ(seconds.at(7), (SecondCounts{10, 3}));
  EXPECT_EQ(seconds.at(8), (SecondCounts{1, 0}));
  EXPECT_EQ(x.exceptions.size(), 1u);
  EXPECT_EQ(x.exceptions.at("KeyError"), 3u);
}

TEST(DeltaTest, MergeIsOrderIndependent) {
  Shard s1, s2;
  for (int i = 0; i < 100; ++i) {
    s1.record("GET", "/a", 1000 + i * 37, 1, i % 7 == 0, "x");
    s2.record("GET", i % 2 ? "/a" : "/b", 90 + i, 2, i % 5 == 0, "y");
  }
  Delta a, b;
  a.add(s1.take(), 1);
  b.add(s2.take(), 2);
  Delta ab = a, ba = b;
  ab.merge(b);
  ba.merge(a);
  EXPECT_TRUE(ab == ba);
  EXPECT_FALSE(ab == a);
}

TEST(DeltaTest, AnAggregatorAbsorbsItLikeTheShardDeltas) {
  Shard shard;
  for (int i = 0; i < 50; ++i) shard.record("GET", "/a", 10 * i, 1, i < 5, "HTTP 500");
  ShardDelta taken = shard.take();
  Delta d;
  d.add(taken, 1);
  Aggregator direct(0, 0), via_delta(0, 0);
  direct.absorb(std::move(taken));
  via_delta.absorb(d.to_shard_delta());
  const Snapshot x = direct.snapshot(1'000'000, 1);
  const Snapshot y = via_delta.snapshot(1'000'000, 1);
  EXPECT_TRUE(x == y);
  EXPECT_EQ(y.aggregated.total.num_failures, 5u);
}

}  // namespace
}  // namespace arrload::stats
