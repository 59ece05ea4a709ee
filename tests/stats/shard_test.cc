#include "stats/shard.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"

namespace arrload::stats {
namespace {

const Entry* find_entry(const ShardDelta& d, const std::string& method, const std::string& name) {
  for (const auto& [key, entry] : d.entries) {
    if (key.method == method && key.name == name) return &entry;
  }
  return nullptr;
}

const ErrorCount* find_error(const ShardDelta& d, const ErrorKey& key) {
  for (const auto& [k, count] : d.errors) {
    if (k == key) return &count;
  }
  return nullptr;
}

TEST(ShardTest, GroupsByMethodAndName) {
  Shard shard;
  shard.record("GET", "/a", 100, 10, false);
  shard.record("GET", "/a", 300, 20, false);
  shard.record("POST", "/a", 5000, 1, false);
  shard.record("GET", "/b", 7, 0, false);
  const ShardDelta d = shard.take();
  ASSERT_EQ(d.entries.size(), 3u);
  EXPECT_TRUE(d.errors.empty());

  const Entry* get_a = find_entry(d, "GET", "/a");
  ASSERT_NE(get_a, nullptr);
  EXPECT_EQ(get_a->num_requests, 2u);
  EXPECT_EQ(get_a->num_failures, 0u);
  EXPECT_EQ(get_a->content_bytes, 30u);
  EXPECT_EQ(get_a->latency.count(), 2u);
  EXPECT_EQ(get_a->latency.sum(), 400u);
  EXPECT_EQ(get_a->latency.max(), 300u);

  const Entry* post_a = find_entry(d, "POST", "/a");
  ASSERT_NE(post_a, nullptr);
  EXPECT_EQ(post_a->num_requests, 1u);
  EXPECT_EQ(post_a->latency.min(), 5000u);
  const Entry* get_b = find_entry(d, "GET", "/b");
  ASSERT_NE(get_b, nullptr);
  EXPECT_EQ(get_b->num_requests, 1u);
}

TEST(ShardTest, MethodAndNameBoundaryIsKept) {
  // "GE"+"T/x" and "GET"+"/x" would collide if the key were a plain concatenation.
  Shard shard;
  shard.record("GET", "/x", 1, 0, false);
  shard.record("GE", "T/x", 2, 0, false);
  const ShardDelta d = shard.take();
  EXPECT_EQ(d.entries.size(), 2u);
  ASSERT_NE(find_entry(d, "GE", "T/x"), nullptr);
  EXPECT_EQ(find_entry(d, "GE", "T/x")->latency.sum(), 2u);
}

TEST(ShardTest, TakeEmptiesTheShardAndRecordingResumes) {
  Shard shard;
  EXPECT_TRUE(shard.take().empty());
  shard.record("GET", "/a", 100, 0, true, "boom");
  const ShardDelta first = shard.take();
  EXPECT_FALSE(first.empty());
  EXPECT_TRUE(shard.take().empty());

  shard.record("GET", "/a", 200, 0, false);
  const ShardDelta second = shard.take();
  ASSERT_EQ(second.entries.size(), 1u);
  EXPECT_EQ(second.entries[0].second.num_requests, 1u);  // not 2: the first take cleared it
  EXPECT_EQ(second.entries[0].second.latency.sum(), 200u);
  EXPECT_TRUE(second.errors.empty());
}

TEST(ShardTest, ListenerSeesEveryRequest) {
  Shard shard;
  shard.record("GET", "/before", 1, 1, false);  // before the listener: not seen
  std::vector<std::string> seen;
  shard.set_listener([&seen](const SampleView& s) {
    seen.push_back(std::string(s.method) + " " + std::string(s.name) + " " +
                   std::to_string(s.latency_us) + " " + std::to_string(s.body_bytes) + " " +
                   (s.failed ? "failed " + std::string(s.error) : "ok"));
  });
  shard.record("GET", "/a", 1500, 7, false, "ignored when not failed");
  shard.record_scheduled("POST", "/b", 10, {10, 0, 0}, 0, true, "HTTPError(500)");
  EXPECT_EQ(seen,
            (std::vector<std::string>{"GET /a 1500 7 ok", "POST /b 10 0 failed HTTPError(500)"}));
  shard.set_listener({});
  shard.record("GET", "/after", 1, 1, false);
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_EQ(shard.take().entries.size(), 4u);  // the listener changes nothing recorded
}

TEST(ShardTest, CountsFailures) {
  Shard shard;
  shard.record("GET", "/a", 10, 0, true, "HTTP 500");
  shard.record("GET", "/a", 20, 0, false, "ignored when not failed");
  shard.record("GET", "/a", 30, 0, true, "HTTP 500");
  const ShardDelta d = shard.take();
  const Entry* e = find_entry(d, "GET", "/a");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->num_requests, 3u);
  EXPECT_EQ(e->num_failures, 2u);
  EXPECT_EQ(e->latency.count(), 3u);  // failures are timed too
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].first.message, "HTTP 500");
  EXPECT_EQ(d.errors[0].second.occurrences, 2u);
}

TEST(ShardTest, GroupsErrorsByMethodNameAndMessage) {
  Shard shard;
  const double before = core::wall_unix_seconds();
  shard.record("GET", "/a", 1, 0, true, "timeout");
  // The wall clock has sub-millisecond resolution, so last_seen must visibly move.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  shard.record("GET", "/a", 1, 0, true, "timeout");
  shard.record("GET", "/a", 1, 0, true, "HTTP 503");
  shard.record("POST", "/a", 1, 0, true, "timeout");
  shard.record("GET", "/b", 1, 0, true, "timeout");
  const double after = core::wall_unix_seconds();
  const ShardDelta d = shard.take();
  ASSERT_EQ(d.errors.size(), 4u);

  const ErrorCount* timeouts = find_error(d, {"GET", "/a", "timeout"});
  ASSERT_NE(timeouts, nullptr);
  EXPECT_EQ(timeouts->occurrences, 2u);
  EXPECT_GE(timeouts->first_seen, before);
  EXPECT_LT(timeouts->first_seen, timeouts->last_seen);
  EXPECT_LE(timeouts->last_seen, after);
  for (const ErrorKey& k : {ErrorKey{"GET", "/a", "HTTP 503"}, ErrorKey{"POST", "/a", "timeout"},
                            ErrorKey{"GET", "/b", "timeout"}}) {
    const ErrorCount* c = find_error(d, k);
    ASSERT_NE(c, nullptr) << k.method << " " << k.name << " " << k.message;
    EXPECT_EQ(c->occurrences, 1u);
  }
}

TEST(ShardTest, ErrorKeyHashSeparatesFields) {
  const ErrorKeyHash h;
  EXPECT_EQ(h({"GET", "/a", "x"}), h({"GET", "/a", "x"}));
  EXPECT_NE(h({"GET", "/a", "x"}), h({"GET", "/ax", ""}));
  EXPECT_NE(h({"GET", "/a", "x"}), h({"GET", "x", "/a"}));
}

TEST(ShardTest, ScheduledRequestsAlsoRecordTheirIntendedTime) {
  Shard shard;
  shard.record("GET", "/a", 1'000, 0, false);
  shard.record_scheduled("GET", "/a", 2'000, {88'000, 0, 0}, 5, true, "HTTP 500", "reads");
  const ShardDelta d = shard.take();
  const Entry* e = find_entry(d, "GET", "/a");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->num_requests, 2u);
  EXPECT_EQ(e->num_failures, 1u);
  EXPECT_EQ(e->latency.count(), 2u);
  EXPECT_EQ(e->latency.max(), 2'000u);
  EXPECT_EQ(e->intended.count(), 1u);  // only the scheduled request
  EXPECT_EQ(e->intended.sum(), 90'000u);
  EXPECT_EQ(e->late_starts, 1u);
  EXPECT_EQ(e->category, "reads");
  ASSERT_EQ(d.errors.size(), 1u);

  shard.record("GET", "/a", 1'000, 0, false);  // a closed-model run: no intended samples at all
  EXPECT_EQ(shard.take().entries[0].second.intended.count(), 0u);
}

TEST(ShardTest, MissedStartsAreRecordedAsTheRequestsTheyWouldHaveBeen) {
  // A paced user (one start per 100 ms) whose request stalled: its next start is 450 ms late, so
  // four more starts (350, 250, 150 and 50 ms late) passed while it was busy.
  Shard shard;
  shard.record_scheduled("GET", "/p", 3'000, {450'000, 4, 100'000}, 0, false);
  const ShardDelta d = shard.take();
  const Entry* e = find_entry(d, "GET", "/p");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->num_requests, 1u);  // one request was sent
  EXPECT_EQ(e->latency.count(), 1u);
  EXPECT_EQ(e->intended.count(), 5u);  // five were due
  EXPECT_EQ(e->intended.max(), 453'000u);
  EXPECT_EQ(e->intended.min(), 53'000u);
  EXPECT_EQ(e->intended.sum(), 3'000u * 5 + 450'000 + 350'000 + 250'000 + 150'000 + 50'000);
  EXPECT_EQ(e->late_starts, 5u);

  // On time (within kLateStartUs): recorded, not late.
  shard.record_scheduled("GET", "/p", 3'000, {kLateStartUs, 0, 0}, 0, false);
  EXPECT_EQ(find_entry(shard.take(), "GET", "/p")->late_starts, 0u);
}

TEST(ShardTest, DroppedIterationsTravelWithTheDelta) {
  Shard shard;
  shard.add_dropped(3);
  shard.add_dropped(4);
  ShardDelta d = shard.take();
  EXPECT_FALSE(d.empty());
  EXPECT_EQ(d.dropped_iterations, 7u);
  EXPECT_EQ(shard.take().dropped_iterations, 0u);
}

}  // namespace
}  // namespace arrload::stats

namespace arrload::stats {
namespace {

// Names and failure messages are masked where they become data (core/redact.h); the last
// message's masking is remembered, so alternating messages must each keep their own text.
TEST(ShardTest, SecretsInNamesAndMessagesAreMasked) {
  Shard shard;
  std::vector<std::string> seen;
  shard.set_listener([&seen](const SampleView& s) {
    seen.push_back(std::string(s.name) + "|" + std::string(s.error));
  });
  const std::string leaky = "HTTPError for url: /a?token=s3cr3t";
  for (int i = 0; i < 2; ++i) {
    shard.record("GET", "/a?token=s3cr3t&page=2", 1, 0, true, leaky);
    shard.record("GET", "/a?token=s3cr3t&page=2", 1, 0, true, "timeout");
  }
  shard.record("GET", "/b", 1, 0, false);
  const ShardDelta d = shard.take();
  ASSERT_EQ(d.entries.size(), 2u);
  ASSERT_EQ(d.errors.size(), 2u);
  const ErrorCount* masked =
      find_error(d, {"GET", "/a?token=***&page=2", "HTTPError for url: /a?token=***"});
  ASSERT_NE(masked, nullptr);
  EXPECT_EQ(masked->occurrences, 2u);
  const ErrorCount* plain = find_error(d, {"GET", "/a?token=***&page=2", "timeout"});
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(plain->occurrences, 2u);
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0], "/a?token=***&page=2|HTTPError for url: /a?token=***");
  for (const std::string& s : seen) EXPECT_EQ(s.find("s3cr3t"), std::string::npos) << s;
}

}  // namespace
}  // namespace arrload::stats
