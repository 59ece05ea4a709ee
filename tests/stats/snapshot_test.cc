#include "stats/snapshot.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "stats/aggregator.h"
#include "stats/codec.h"
#include "stats/shard.h"

namespace arrload::stats {
namespace {

constexpr core::Micros kStartMono = 1'000'000;
constexpr double kStartUnix = 1'700'000'000.0;

// Hands SHARD to AGG as second S; errors are stamped with S so that nodes recording the same
// failures a few µs apart agree on first and last seen.
void absorb_at(Shard& shard, Aggregator& agg, int s) {
  ShardDelta d = shard.take();
  for (auto& [key, count] : d.errors) count.first_seen = count.last_seen = kStartUnix + s;
  agg.absorb(std::move(d));
}

// Two nodes A and B, and one process TOGETHER seeing the requests of both, over SECONDS
// seconds (more than the recent window, so seconds also leave it), then a snapshot of each.
struct Nodes {
  Snapshot a, b, together;
};

Nodes run_nodes(std::uint64_t seed, int seconds) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> latency(std::log(20'000.0), 1.5);
  std::uniform_int_distribution<int> pick(0, 99);
  const char* names[] = {"/a", "/b", "/c", "/d", "/e"};
  Aggregator aa(kStartMono, kStartUnix), ab(kStartMono, kStartUnix), at(kStartMono, kStartUnix);
  Shard sa, sb, st;
  for (int s = 0; s < seconds; ++s) {
    const int n = pick(rng) * 20;
    for (int i = 0; i < n; ++i) {
      const char* name = names[pick(rng) % (s < 5 ? 3 : 5)];  // /d and /e start later
      const auto us = static_cast<std::uint64_t>(latency(rng));
      const bool failed = pick(rng) < 8;
      const std::string message = pick(rng) < 50 ? "HTTP 500" : "timeout";
      Shard& one = pick(rng) < 40 ? sa : sb;
      for (Shard* shard : {&one, &st}) shard->record("GET", name, us, 100, failed, message, "c");
    }
    absorb_at(sa, aa, s);
    absorb_at(sb, ab, s);
    absorb_at(st, at, s);
    aa.tick();
    ab.tick();
    at.tick();
  }
  const core::Micros now = kStartMono + static_cast<core::Micros>(seconds) * 1'000'000 + 300'000;
  const double now_unix = kStartUnix + seconds + 0.3;
  Nodes out{aa.snapshot(now, now_unix), ab.snapshot(now, now_unix), at.snapshot(now, now_unix)};
  out.a.user_count = out.a.peak_user_count = 6;
  out.b.user_count = out.b.peak_user_count = 4;
  out.together.user_count = out.together.peak_user_count = 10;
  out.a.users_per_class = {{"Reader", 5}, {"Writer", 1}};
  out.b.users_per_class = {{"Reader", 3}, {"Admin", 1}};
  out.together.users_per_class = {{"Reader", 8}, {"Writer", 1}, {"Admin", 1}};
  out.a.exceptions = {{"KeyError: id", 3}, {"bad template", 1}};
  out.b.exceptions = {{"bad template", 2}};
  out.together.exceptions = {{"KeyError: id", 3}, {"bad template", 3}};
  out.a.dropped_iterations = 4;
  out.together.dropped_iterations = 4;
  return out;
}

void expect_same_row(const EndpointStats& got, const EndpointStats& want) {
  const std::string where = want.key.method + " " + want.key.name;
  EXPECT_EQ(got.key, want.key) << where;
  EXPECT_TRUE(got.total == want.total) << where << " total";
  EXPECT_TRUE(got.recent == want.recent) << where << " recent";
  EXPECT_TRUE(got.last_second == want.last_second) << where << " last second";
  EXPECT_EQ(got.total.latency.percentile(0.99), want.total.latency.percentile(0.99)) << where;
  EXPECT_EQ(got.current_rps, want.current_rps) << where;
  EXPECT_EQ(got.current_fail_per_sec, want.current_fail_per_sec) << where;
}

TEST(SnapshotMergeTest, MergedNodeSnapshotsEqualOneProcessSeeingAll) {
  const Nodes n = run_nodes(21, 14);
  ASSERT_GT(n.a.aggregated.total.num_requests, 0u);
  ASSERT_GT(n.b.aggregated.total.num_requests, 0u);
  ASSERT_EQ(n.together.endpoints.size(), 5u);
  ASSERT_FALSE(n.together.errors.empty());

  Snapshot merged;  // a master starts from nothing and merges each node's snapshot
  for (const Snapshot* node : {&n.a, &n.b}) {
    Decoded<Snapshot> wire = decode_snapshot(encode_snapshot(*node));
    ASSERT_TRUE(wire) << wire.error;
    merged.merge(*wire.value);
  }
  ASSERT_EQ(merged.endpoints.size(), n.together.endpoints.size());
  for (std::size_t i = 0; i < merged.endpoints.size(); ++i) {
    expect_same_row(merged.endpoints[i], n.together.endpoints[i]);
  }
  expect_same_row(merged.aggregated, n.together.aggregated);
  ASSERT_EQ(merged.errors.size(), n.together.errors.size());
  for (std::size_t i = 0; i < merged.errors.size(); ++i) {
    EXPECT_EQ(merged.errors[i].first, n.together.errors[i].first) << i;
    EXPECT_EQ(merged.errors[i].second, n.together.errors[i].second) << i;
  }
  EXPECT_EQ(merged.users_per_class, n.together.users_per_class);
  EXPECT_EQ(merged.exceptions, n.together.exceptions);
  EXPECT_TRUE(merged == n.together);
}

TEST(SnapshotMergeTest, RatesAddWhenTheWindowIsUnknownAndClocksSpan) {
  Snapshot x, y;
  x.start_unix = 100;
  x.taken_unix = 130;
  x.elapsed_s = 30;
  x.aggregated.current_rps = 2.5;
  y.start_unix = 90;
  y.taken_unix = 131;
  y.elapsed_s = 41;
  y.recent_window_s = 10;
  y.aggregated.current_rps = 1.25;
  y.peak_user_count = 3;
  x.peak_user_count = 4;
  x.merge(y);
  EXPECT_EQ(x.start_unix, 90);
  EXPECT_EQ(x.taken_unix, 131);
  EXPECT_EQ(x.elapsed_s, 41);
  EXPECT_EQ(x.aggregated.current_rps, 3.75);
  EXPECT_EQ(x.peak_user_count, 7u);  // an upper bound
}

}  // namespace
}  // namespace arrload::stats
