#include "stats/aggregator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "stats/shard.h"

namespace arrload::stats {
namespace {

constexpr core::Micros kStartMono = 1'000'000'000;
constexpr double kStartUnix = 1'700'000'000.0;

// A delta holding N requests to (METHOD, NAME), FAILURES of them failed with MESSAGE.
ShardDelta delta(const std::string& method, const std::string& name, int n, int failures = 0,
                 const std::string& message = "boom") {
  Shard shard;
  for (int i = 0; i < n; ++i) shard.record(method, name, 1000 + i, 10, i < failures, message);
  return shard.take();
}

const EndpointStats* find_row(const Snapshot& s, const std::string& method,
                              const std::string& name) {
  for (const auto& row : s.endpoints) {
    if (row.key.method == method && row.key.name == name) return &row;
  }
  return nullptr;
}

TEST(AggregatorTest, AbsorbsConcurrentlyWithExactTotals) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20'000;
  Aggregator agg(kStartMono, kStartUnix);
  std::atomic<int> running{kThreads};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&agg, &running, t] {
      Shard shard;
      const std::string names[] = {"/a", "/b", "/c"};
      for (int i = 0; i < kPerThread; ++i) {
        const bool failed = i % 10 == 0;
        shard.record("GET", names[i % 3], std::uint64_t(t) * 1000 + i % 1000, 1, failed,
                     "HTTP 500");
        if (i % 997 == 0) agg.absorb(shard.take());
      }
      agg.absorb(shard.take());
      --running;
    });
  }
  // The control thread's work, racing the workers.
  while (running > 0) {
    agg.tick();
    (void)agg.snapshot(kStartMono + 1, kStartUnix);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  for (auto& th : threads) th.join();

  const Snapshot s = agg.snapshot(kStartMono + 5'000'000, kStartUnix + 5);
  ASSERT_EQ(s.endpoints.size(), 3u);
  std::uint64_t requests = 0;
  for (const auto& row : s.endpoints) requests += row.total.num_requests;
  EXPECT_EQ(requests, std::uint64_t{kThreads} * kPerThread);
  const Entry& all = s.aggregated.total;
  EXPECT_EQ(all.num_requests, std::uint64_t{kThreads} * kPerThread);
  EXPECT_EQ(all.num_failures, std::uint64_t{kThreads} * kPerThread / 10);
  EXPECT_EQ(all.content_bytes, std::uint64_t{kThreads} * kPerThread);
  EXPECT_EQ(all.latency.count(), all.num_requests);
  std::uint64_t expected_sum = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) expected_sum += t * 1000 + i % 1000;
  }
  EXPECT_EQ(all.latency.sum(), expected_sum);
  ASSERT_EQ(s.errors.size(), 3u);
  std::uint64_t errors = 0;
  for (const auto& [key, count] : s.errors) errors += count.occurrences;
  EXPECT_EQ(errors, all.num_failures);
}

TEST(AggregatorTest, RecentWindowAndCurrentRps) {
  Aggregator agg(kStartMono, kStartUnix);
  agg.absorb(delta("GET", "/a", 10, 2));
  // Nothing has closed yet: the requests are in the totals but not the recent window.
  Snapshot s = agg.snapshot(kStartMono + 500'000, kStartUnix + 0.5);
  ASSERT_EQ(s.endpoints.size(), 1u);
  EXPECT_EQ(s.endpoints[0].total.num_requests, 10u);
  EXPECT_EQ(s.endpoints[0].recent.num_requests, 0u);
  EXPECT_EQ(s.endpoints[0].last_second.num_requests, 0u);
  EXPECT_EQ(s.endpoints[0].current_rps, 0.0);

  agg.tick();
  agg.absorb(delta("GET", "/a", 20));
  agg.tick();
  s = agg.snapshot(kStartMono + 2'000'000, kStartUnix + 2);
  EXPECT_EQ(s.endpoints[0].recent.num_requests, 30u);
  EXPECT_EQ(s.endpoints[0].recent.latency.count(), 30u);
  // The newest closed second alone: the 20 requests absorbed before the last tick.
  EXPECT_EQ(s.endpoints[0].last_second.num_requests, 20u);
  EXPECT_EQ(s.endpoints[0].last_second.num_failures, 0u);
  EXPECT_EQ(s.aggregated.last_second.num_requests, 20u);
  EXPECT_DOUBLE_EQ(s.endpoints[0].current_rps, 15.0);
  EXPECT_DOUBLE_EQ(s.endpoints[0].current_fail_per_sec, 1.0);
  EXPECT_DOUBLE_EQ(s.aggregated.current_rps, 15.0);

  // Twelve more seconds of 5 requests: the window keeps only the last ten.
  for (int i = 0; i < 12; ++i) {
    agg.absorb(delta("GET", "/a", 5));
    agg.tick();
  }
  s = agg.snapshot(kStartMono + 14'000'000, kStartUnix + 14);
  EXPECT_EQ(s.endpoints[0].recent.num_requests, 50u);
  EXPECT_DOUBLE_EQ(s.endpoints[0].current_rps, 5.0);
  EXPECT_EQ(s.endpoints[0].current_fail_per_sec, 0.0);
  EXPECT_EQ(s.endpoints[0].total.num_requests, 90u);
  EXPECT_EQ(s.endpoints[0].total.num_failures, 2u);
  EXPECT_DOUBLE_EQ(s.elapsed_s, 14.0);
  EXPECT_DOUBLE_EQ(s.total_rps(s.endpoints[0]), 90.0 / 14.0);
  EXPECT_DOUBLE_EQ(s.total_fail_per_sec(s.aggregated), 2.0 / 14.0);
  EXPECT_DOUBLE_EQ(s.fail_ratio(), 2.0 / 90.0);

  // Idle seconds push the traffic out of the window.
  for (int i = 0; i < Snapshot::kRecentWindowSeconds; ++i) agg.tick();
  s = agg.snapshot(kStartMono + 24'000'000, kStartUnix + 24);
  EXPECT_EQ(s.endpoints[0].recent.num_requests, 0u);
  EXPECT_EQ(s.endpoints[0].last_second.num_requests, 0u);
  EXPECT_EQ(s.endpoints[0].current_rps, 0.0);
  EXPECT_EQ(s.endpoints[0].total.num_requests, 90u);
}

TEST(AggregatorTest, SnapshotOrderAggregateAndClocks) {
  Aggregator agg(kStartMono, kStartUnix);
  agg.absorb(delta("POST", "/b", 3));
  agg.absorb(delta("GET", "/b", 2, 1));
  agg.absorb(delta("GET", "/a", 4));
  const Snapshot s = agg.snapshot(kStartMono + 2'500'000, kStartUnix + 2.5);
  EXPECT_EQ(s.start_unix, kStartUnix);
  EXPECT_EQ(s.taken_unix, kStartUnix + 2.5);
  EXPECT_DOUBLE_EQ(s.elapsed_s, 2.5);
  ASSERT_EQ(s.endpoints.size(), 3u);
  EXPECT_EQ(s.endpoints[0].key, (EndpointKey{"GET", "/a"}));
  EXPECT_EQ(s.endpoints[1].key, (EndpointKey{"GET", "/b"}));
  EXPECT_EQ(s.endpoints[2].key, (EndpointKey{"POST", "/b"}));
  const EndpointStats* get_b = find_row(s, "GET", "/b");
  ASSERT_NE(get_b, nullptr);
  EXPECT_EQ(get_b->total.num_requests, 2u);
  EXPECT_EQ(get_b->total.num_failures, 1u);
  EXPECT_EQ(s.aggregated.key, (EndpointKey{"", "Aggregated"}));
  EXPECT_EQ(s.aggregated.total.num_requests, 9u);
  EXPECT_EQ(s.aggregated.total.num_failures, 1u);
  EXPECT_EQ(s.aggregated.total.latency.count(), 9u);
  EXPECT_EQ(s.aggregated.total.latency.max(), 1003u);
  EXPECT_DOUBLE_EQ(s.total_rps(s.aggregated), 9 / 2.5);
  EXPECT_TRUE(s.user_count == 0 && s.users_per_class.empty());
}

TEST(AggregatorTest, ErrorsMergedAndSortedByFrequency) {
  Aggregator agg(kStartMono, kStartUnix);
  agg.absorb(delta("GET", "/b", 2, 2, "timeout"));
  agg.absorb(delta("GET", "/a", 2, 2, "timeout"));
  agg.absorb(delta("GET", "/c", 3, 3, "HTTP 500"));
  agg.absorb(delta("GET", "/b", 2, 2, "timeout"));
  const Snapshot s = agg.snapshot(kStartMono, kStartUnix);
  ASSERT_EQ(s.errors.size(), 3u);
  EXPECT_EQ(s.errors[0].first, (ErrorKey{"GET", "/b", "timeout"}));
  EXPECT_EQ(s.errors[0].second.occurrences, 4u);
  EXPECT_LE(s.errors[0].second.first_seen, s.errors[0].second.last_seen);
  EXPECT_EQ(s.errors[1].first.name, "/c");
  EXPECT_EQ(s.errors[1].second.occurrences, 3u);
  EXPECT_EQ(s.errors[2].first.name, "/a");
}

TEST(AggregatorTest, ErrorFirstAndLastSeenSpanAllDeltas) {
  Aggregator agg(kStartMono, kStartUnix);
  const ErrorKey key{"GET", "/a", "timeout"};
  agg.absorb(ShardDelta{{}, {{key, ErrorCount{1, 50.0, 60.0}}}});
  agg.absorb(ShardDelta{{}, {{key, ErrorCount{2, 40.0, 55.0}}}});
  agg.absorb(ShardDelta{{}, {{key, ErrorCount{1, 45.0, 70.0}}}});
  const Snapshot s = agg.snapshot(kStartMono, kStartUnix);
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_EQ(s.errors[0].second.occurrences, 4u);
  EXPECT_EQ(s.errors[0].second.first_seen, 40.0);
  EXPECT_EQ(s.errors[0].second.last_seen, 70.0);
}

TEST(AggregatorTest, ResetForgetsEverythingAndMovesTheStart) {
  Aggregator agg(kStartMono, kStartUnix);
  agg.absorb(delta("GET", "/a", 5, 5));
  agg.tick();
  agg.absorb(delta("GET", "/a", 5));
  agg.reset(kStartMono + 10'000'000, kStartUnix + 10);

  Snapshot s = agg.snapshot(kStartMono + 12'000'000, kStartUnix + 12);
  EXPECT_TRUE(s.endpoints.empty());
  EXPECT_TRUE(s.errors.empty());
  EXPECT_EQ(s.aggregated.total.num_requests, 0u);
  EXPECT_EQ(s.start_unix, kStartUnix + 10);
  EXPECT_DOUBLE_EQ(s.elapsed_s, 2.0);
  EXPECT_EQ(s.fail_ratio(), 0.0);

  // Both the closed seconds and the pending one were dropped: only the new request is recent.
  agg.absorb(delta("GET", "/a", 1));
  agg.tick();
  s = agg.snapshot(kStartMono + 13'000'000, kStartUnix + 13);
  ASSERT_EQ(s.endpoints.size(), 1u);
  EXPECT_EQ(s.endpoints[0].total.num_requests, 1u);
  EXPECT_EQ(s.endpoints[0].recent.num_requests, 1u);
  EXPECT_EQ(s.endpoints[0].total.num_failures, 0u);
}

TEST(SnapshotTest, RatesAreZeroBeforeTimePasses) {
  Snapshot s;
  s.aggregated.total.num_requests = 10;
  s.aggregated.total.num_failures = 5;
  EXPECT_EQ(s.total_rps(s.aggregated), 0.0);
  EXPECT_EQ(s.total_fail_per_sec(s.aggregated), 0.0);
  EXPECT_DOUBLE_EQ(s.fail_ratio(), 0.5);
  s.elapsed_s = 4;
  EXPECT_DOUBLE_EQ(s.total_rps(s.aggregated), 2.5);
}

}  // namespace
}  // namespace arrload::stats
