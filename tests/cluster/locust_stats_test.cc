// Locust's per-report deltas from the engine's cumulative snapshots.
#include "cluster/locust_stats.h"

#include <map>

#include <gtest/gtest.h>

#include "cluster/histogram_buckets.h"

namespace arrload::cluster {
namespace {

struct Sample {
  std::uint64_t us;
  std::uint64_t bytes;
  bool failed;
};

// A snapshot of one endpoint plus Aggregated, both holding TOTAL; LAST holds the newest second.
stats::Snapshot snapshot(const stats::Entry& total, const stats::Entry& last, double taken) {
  stats::Snapshot s;
  s.start_unix = 1000;
  s.taken_unix = taken;
  stats::EndpointStats e;
  e.key = {"GET", "/ping"};
  e.total = total;
  e.last_second = last;
  s.endpoints.push_back(e);
  s.aggregated = e;
  s.aggregated.key = {"", "Aggregated"};
  s.users_per_class = {{"Pinger", 3}, {"Breaker", 1}};
  s.user_count = 4;
  return s;
}

void record(stats::Entry& e, const std::vector<Sample>& samples) {
  for (const Sample& s : samples) e.record(s.us, s.bytes, s.failed);
}

const Value& field(const Value& entry, const char* name) {
  const Value* v = entry.find(name);
  EXPECT_NE(v, nullptr) << name;
  static const Value nil;
  return v ? *v : nil;
}

std::int64_t int_field(const Value& entry, const char* name) {
  return field(entry, name).as_int().value_or(-1);
}

// The entry named NAME in a report's "stats" list; nil when it is not there.
Value endpoint(const Value& report, const std::string& name) {
  for (const Value& e : *report.find("stats")->as_array()) {
    if (*e.find("name")->as_str() == name) return e;
  }
  return Value();
}

std::map<std::int64_t, std::int64_t> counts(const Value& m) {
  std::map<std::int64_t, std::int64_t> out;
  for (const auto& [k, v] : *m.as_map()) out[*k.as_int()] = *v.as_int();
  return out;
}

TEST(LocustStatsTest, RoundsLikeLocust) {
  EXPECT_EQ(locust_rounded_ms(0), 0);
  EXPECT_EQ(locust_rounded_ms(499), 0);
  EXPECT_EQ(locust_rounded_ms(500), 0);  // 0.5 ms: ties go to even, as Python's round()
  EXPECT_EQ(locust_rounded_ms(1'500), 2);
  EXPECT_EQ(locust_rounded_ms(2'500), 2);
  EXPECT_EQ(locust_rounded_ms(42'499), 42);
  EXPECT_EQ(locust_rounded_ms(99'400), 99);
  EXPECT_EQ(locust_rounded_ms(99'600), 100);
  EXPECT_EQ(locust_rounded_ms(100'000), 100);
  EXPECT_EQ(locust_rounded_ms(105'000), 100);  // round(105.0, -1) == 100.0
  EXPECT_EQ(locust_rounded_ms(115'000), 120);
  EXPECT_EQ(locust_rounded_ms(147'000), 150);        // Locust's own examples: 147 -> 150,
  EXPECT_EQ(locust_rounded_ms(3'432'000), 3'400);    // 3432 -> 3400,
  EXPECT_EQ(locust_rounded_ms(58'760'000), 59'000);  // 58760 -> 59000
  EXPECT_EQ(locust_rounded_ms(999'000), 1'000);
  EXPECT_EQ(locust_rounded_ms(9'960'000), 10'000);
}

TEST(LocustStatsTest, BucketValuesStayInsideTheirBucket) {
  for (std::uint64_t v : {0ull, 1023ull, 1024ull, 5'000ull, 99'999ull, 1'234'567ull, 1ull << 40}) {
    stats::Histogram h;
    h.record(v);
    std::uint32_t index = 0;
    int buckets = 0;
    for_each_bucket(h, [&](std::uint32_t i, std::uint64_t n) {
      index = i;
      buckets += static_cast<int>(n);
    });
    ASSERT_EQ(buckets, 1);
    const double mid = static_cast<double>(bucket_value(index));
    EXPECT_NEAR(mid, static_cast<double>(v), static_cast<double>(v) * 0.001 + 1) << v;
  }
}

TEST(LocustStatsTest, EachReportHoldsWhatWasRecordedSinceThePrevious) {
  const std::vector<Sample> first = {{5'200, 10, false}, {5'400, 10, false}, {147'000, 20, true}};
  const std::vector<Sample> second = {{5'100, 30, false}, {3'432'000, 5, true}};
  stats::Entry total, last1, last2;
  record(total, first);
  record(last1, first);
  LocustReporter reporter;
  reporter.start_run();
  reporter.observe(snapshot(total, last1, 1001.2));
  const Value r1 = reporter.report(1001.3);

  record(total, second);
  record(last2, second);
  reporter.observe(snapshot(total, last2, 1002.2));
  const Value r2 = reporter.report(1004.3);

  const Value e1 = endpoint(r1, "/ping");
  ASSERT_FALSE(e1.is_nil());
  EXPECT_EQ(*field(e1, "method").as_str(), "GET");
  EXPECT_EQ(int_field(e1, "num_requests"), 3);
  EXPECT_EQ(int_field(e1, "num_failures"), 1);
  EXPECT_EQ(int_field(e1, "total_content_length"), 40);
  EXPECT_NEAR(*field(e1, "total_response_time").as_number(), 157.6, 1e-9);
  EXPECT_EQ(counts(field(e1, "response_times")),
            (std::map<std::int64_t, std::int64_t>{{5, 2}, {150, 1}}));
  EXPECT_EQ(counts(field(e1, "num_reqs_per_sec")),
            (std::map<std::int64_t, std::int64_t>{{1000, 3}}));
  EXPECT_EQ(counts(field(e1, "num_fail_per_sec")),
            (std::map<std::int64_t, std::int64_t>{{1000, 1}}));
  EXPECT_DOUBLE_EQ(*field(e1, "last_request_timestamp").as_number(), 1001.2);
  EXPECT_DOUBLE_EQ(*field(e1, "start_time").as_number(), 1000);

  // The second report: only the second batch, min and max of the run so far.
  const Value e2 = endpoint(r2, "/ping");
  ASSERT_FALSE(e2.is_nil());
  EXPECT_EQ(int_field(e2, "num_requests"), 2);
  EXPECT_EQ(int_field(e2, "num_failures"), 1);
  EXPECT_EQ(int_field(e2, "total_content_length"), 35);
  EXPECT_NEAR(*field(e2, "total_response_time").as_number(), 3437.1, 1e-9);
  EXPECT_EQ(counts(field(e2, "response_times")),
            (std::map<std::int64_t, std::int64_t>{{5, 1}, {3'400, 1}}));
  EXPECT_EQ(counts(field(e2, "num_reqs_per_sec")),
            (std::map<std::int64_t, std::int64_t>{{1001, 2}}));
  EXPECT_NEAR(*field(e2, "min_response_time").as_number(), 5.1, 0.01);
  EXPECT_NEAR(*field(e2, "max_response_time").as_number(), 3432, 4);
  EXPECT_DOUBLE_EQ(*field(e2, "start_time").as_number(), 1001.3);

  // The total row says the same, under Locust's name for it.
  const Value* t2 = r2.find("stats_total");
  EXPECT_EQ(*field(*t2, "name").as_str(), "Aggregated");
  EXPECT_EQ(*field(*t2, "method").as_str(), "");
  EXPECT_EQ(int_field(*t2, "num_requests"), 2);
  EXPECT_EQ(r2.find("user_count")->as_int(), 4);
  EXPECT_EQ(r2.find("user_classes_count")->find("Breaker")->as_int(), 1);
  EXPECT_EQ(reporter.reported().all_requests, 5u);
  EXPECT_EQ(reporter.reported().all_failures, 2u);
}

TEST(LocustStatsTest, ReportsAddUpToTheFinalSnapshotWhateverTheirTiming) {
  stats::Entry total;
  LocustReporter reporter;
  reporter.start_run();
  std::map<std::int64_t, std::int64_t> buckets_sent;
  std::int64_t requests_sent = 0;
  double sum_sent = 0;
  std::uint64_t value = 1'000;
  for (int second = 0; second < 30; ++second) {
    stats::Entry last;
    for (int i = 0; i < 50; ++i) {
      value = value * 7 % 5'000'003 + 700;  // spread over 0.7 ms .. 5 s
      total.record(value, 1, i % 9 == 0);
      last.record(value, 1, i % 9 == 0);
    }
    reporter.observe(snapshot(total, last, 1001.0 + second));
    if (second % 3 == 2 || second == 29) {  // a report every 3 s, and the final one
      const Value e = endpoint(reporter.report(1001.0 + second), "/ping");
      requests_sent += int_field(e, "num_requests");
      sum_sent += *field(e, "total_response_time").as_number();
      for (const auto& [k, n] : counts(field(e, "response_times"))) buckets_sent[k] += n;
    }
  }
  EXPECT_EQ(requests_sent, 1'500);
  EXPECT_NEAR(sum_sent, static_cast<double>(total.latency.sum()) / 1000.0, 1e-6);
  std::map<std::int64_t, std::int64_t> expected;
  for_each_bucket(total.latency, [&](std::uint32_t i, std::uint64_t n) {
    expected[locust_rounded_ms(bucket_value(i))] += static_cast<std::int64_t>(n);
  });
  EXPECT_EQ(buckets_sent, expected);
  // Nothing new: the next report has no endpoint rows and a zero total.
  const Value empty = reporter.report(1040);
  EXPECT_TRUE(empty.find("stats")->as_array()->empty());
  EXPECT_EQ(int_field(*empty.find("stats_total"), "num_requests"), 0);
  EXPECT_TRUE(empty.find("stats_total")->find("min_response_time")->is_nil());
}

TEST(LocustStatsTest, ErrorsAreReportedAsDeltas) {
  stats::Entry total, last;
  total.record(1'000, 0, true);
  stats::Snapshot s = snapshot(total, last, 1001.5);
  stats::ErrorKey key{"GET", "/x", "HTTPError('500 Server Error')"};
  s.errors = {{key, stats::ErrorCount{3, 1000, 1001}}};
  LocustReporter reporter;
  reporter.start_run();
  reporter.observe(s);
  const Value r1 = reporter.report(1002);
  const Map& errors = *r1.find("errors")->as_map();
  ASSERT_EQ(errors.size(), 1u);
  const Value& e = errors[0].second;
  EXPECT_EQ(*e.find("name")->as_str(), "/x");
  EXPECT_EQ(*e.find("method")->as_str(), "GET");
  EXPECT_EQ(*e.find("error")->as_str(), "HTTPError('500 Server Error')");
  EXPECT_EQ(e.find("occurrences")->as_int(), 3);

  s.errors = {{key, stats::ErrorCount{5, 1000, 1003}}};
  reporter.observe(s);
  const Value r2 = reporter.report(1004);
  ASSERT_EQ(r2.find("errors")->as_map()->size(), 1u);
  EXPECT_EQ(r2.find("errors")->as_map()->at(0).second.find("occurrences")->as_int(), 2);
  EXPECT_EQ(r2.find("errors")->as_map()->at(0).first, errors[0].first);  // a stable key
  EXPECT_TRUE(reporter.report(1005).find("errors")->as_map()->empty());
}

TEST(LocustStatsTest, ANewRunCountsFromZeroAndKeepsWhatWasNotReported) {
  stats::Entry run1, last;
  record(run1, {{2'000, 1, false}, {2'000, 1, false}});
  LocustReporter reporter;
  reporter.start_run();
  reporter.observe(snapshot(run1, last, 1001));
  // The second run starts before a report: the first run's requests are still pending.
  reporter.start_run();
  stats::Entry run2;
  record(run2, {{3'000, 1, false}});
  reporter.observe(snapshot(run2, last, 1010));
  const Value r = reporter.report(1011);
  EXPECT_EQ(int_field(endpoint(r, "/ping"), "num_requests"), 3);
  EXPECT_EQ(counts(field(endpoint(r, "/ping"), "response_times")),
            (std::map<std::int64_t, std::int64_t>{{2, 2}, {3, 1}}));
  reporter.set_users({{"Pinger", 0}, {"Breaker", 0}});
  EXPECT_EQ(reporter.report(1012).find("user_count")->as_int(), 0);
}

}  // namespace
}  // namespace arrload::cluster
