#include "report/prometheus.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "integration/harness.h"
#include "stats/aggregator.h"
#include "support/snapshots.h"

namespace arrload::report {
namespace {

using testing::split_lines;

// The value of the sample line that starts with SERIES ("name{labels}"); NaN when missing.
double sample(const std::string& text, const std::string& series) {
  for (const std::string& line : split_lines(text)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return std::nan("");
}

// The response-time buckets of one series in TEXT: (le in seconds, cumulative count), +Inf last.
std::vector<std::pair<double, double>> buckets(const std::string& text, const std::string& metric,
                                               const std::string& labels) {
  std::vector<std::pair<double, double>> out;
  const std::regex re(metric + "_bucket\\{" + labels + ",le=\"([^\"]+)\"\\} (\\S+)");
  for (const std::string& line : split_lines(text)) {
    std::smatch m;
    if (!std::regex_match(line, m, re)) continue;
    const double le = m[1] == "+Inf" ? INFINITY : std::stod(m[1]);
    out.emplace_back(le, std::stod(m[2]));
  }
  return out;
}

// Prometheus's histogram_quantile (promql/quantile.go): the rank's bucket, then linear
// interpolation inside it (from 0 for the first bucket).
double histogram_quantile(double q, const std::vector<std::pair<double, double>>& b) {
  const double rank = q * b.back().second;
  std::size_t i = 0;
  while (i < b.size() && b[i].second < rank) ++i;
  if (i == b.size() - 1) return b[b.size() - 2].first;  // in +Inf: the highest finite bound
  const double lower = i == 0 ? 0 : b[i - 1].first;
  const double below = i == 0 ? 0 : b[i - 1].second;
  return lower + (b[i].first - lower) * (rank - below) / (b[i].second - below);
}

TEST(PrometheusBuckets, EachBoundIsTheLastValueOfAHistogramBucket) {
  const std::vector<std::uint64_t>& bounds = response_time_bounds_us();
  ASSERT_GE(bounds.size(), 20u);
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    // The last value of its bucket: the next value starts the next bucket.
    const std::uint32_t index = stats::Histogram::bucket_index(bounds[i]);
    EXPECT_EQ(stats::Histogram::bucket_index(bounds[i] + 1), index + 1) << bounds[i];
    if (i > 0) EXPECT_LT(bounds[i - 1], bounds[i]);
  }
  EXPECT_EQ(bounds.front(), 500u);  // below 1,024 µs every microsecond is an edge
  EXPECT_EQ(bounds[1], 1000u);
  EXPECT_EQ(le_label(bounds[1]), "0.001");
  // 5 ms lies in the bucket [5,000, 5,003] µs: the bound is that bucket's end.
  EXPECT_EQ(bounds[3], 5003u);
  EXPECT_EQ(le_label(5003), "0.005003");
  EXPECT_EQ(le_label(60'000'000), "60");
  EXPECT_EQ(le_label(1'000'447), "1.000447");
}

TEST(PrometheusBuckets, CumulativeCountsAreExactAtEveryBound) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> latency(std::log(20'000.0), 1.5);  // around 20 ms
  std::vector<std::uint64_t> values;
  stats::Histogram h;
  for (int i = 0; i < 20'000; ++i) {
    const auto v = static_cast<std::uint64_t>(std::min(latency(rng), 1e8));
    values.push_back(v);
    h.record(v);
  }
  // Values right at and just past each bound, where interpolation would go wrong.
  for (std::uint64_t b : response_time_bounds_us()) {
    for (std::uint64_t v : {b - 1, b, b + 1}) {
      values.push_back(v);
      h.record(v);
    }
  }
  const std::vector<std::uint64_t> counts = cumulative_buckets(h);
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const std::uint64_t bound = response_time_bounds_us()[i];
    const auto expected = static_cast<std::uint64_t>(
        std::count_if(values.begin(), values.end(), [&](std::uint64_t v) { return v <= bound; }));
    EXPECT_EQ(counts[i], expected) << "le " << le_label(bound);
  }
}

stats::Snapshot latency_snapshot(std::uint64_t seed, int n) {
  stats::Aggregator agg(0, 1'700'000'000.0);
  stats::Shard shard;
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> latency(std::log(80'000.0), 0.8);
  for (int i = 0; i < n; ++i) {
    shard.record("GET", "/api/v1/series", static_cast<std::uint64_t>(latency(rng)), 100, false);
  }
  agg.absorb(shard.take());
  agg.tick();
  return agg.snapshot(10'000'000, 1'700'000'010.0);
}

// What histogram_quantile(q, sum by (le) (...)) gives over two workers' expositions is what the
// merged histogram's exposition gives, and it lies in the exported bucket that holds the
// histogram's own percentile.
TEST(PrometheusText, QuantilesOverSummedWorkersMatchTheMergedHistogram) {
  const stats::Snapshot a = latency_snapshot(1, 5'000);
  const stats::Snapshot b = latency_snapshot(2, 3'000);
  stats::Snapshot merged = a;
  merged.merge(b);
  const std::string labels = R"(method="GET",name="/api/v1/series")";
  auto ba = buckets(prometheus_text(&a, {}), "arrload_response_time_seconds", labels);
  auto bb = buckets(prometheus_text(&b, {}), "arrload_response_time_seconds", labels);
  auto bm = buckets(prometheus_text(&merged, {}), "arrload_response_time_seconds", labels);
  ASSERT_EQ(ba.size(), response_time_bounds_us().size() + 1);
  ASSERT_EQ(ba.size(), bb.size());
  ASSERT_EQ(ba.size(), bm.size());
  std::vector<std::pair<double, double>> summed = ba;
  for (std::size_t i = 0; i < summed.size(); ++i) {
    ASSERT_EQ(ba[i].first, bb[i].first);  // the same le values on every node
    summed[i].second += bb[i].second;
    EXPECT_EQ(summed[i], bm[i]);
  }
  EXPECT_EQ(summed.back().second, 8'000);
  const stats::Histogram& h = merged.endpoints.front().total.latency;
  for (double q : {0.5, 0.9, 0.95, 0.99}) {
    const double from_buckets = histogram_quantile(q, summed);
    const double exact = static_cast<double>(h.percentile(q)) / 1e6;
    // The exported bucket the histogram's percentile falls in bounds the interpolated value.
    auto it = std::lower_bound(summed.begin(), summed.end(), exact,
                               [](const auto& bucket, double v) { return bucket.first < v; });
    ASSERT_NE(it, summed.end());
    const double lower = it == summed.begin() ? 0 : std::prev(it)->first;
    EXPECT_GE(from_buckets, lower) << q;
    EXPECT_LE(from_buckets, it->first) << q;
  }
  EXPECT_NEAR(
      sample(prometheus_text(&merged, {}), "arrload_response_time_seconds_sum{" + labels + "}"),
      static_cast<double>(h.sum()) / 1e6, 1e-6);
}

TEST(PrometheusText, CountersComeFromTheTotalsAndHistogramsEndInTheCount) {
  const stats::Snapshot snap = test_support::two_endpoints_snapshot();
  const std::string text = prometheus_text(&snap, {});
  const std::string get_b = "method=\"GET\",name=\"/b\"";
  const std::string post_a = "method=\"POST\",name=\"/a\"";
  EXPECT_EQ(sample(text, "arrload_requests_total{" + get_b + "}"), 4);
  EXPECT_EQ(sample(text, "arrload_request_failures_total{" + post_a + "}"), 1);
  EXPECT_EQ(sample(text, "arrload_response_body_bytes_total{" + get_b + "}"), 40);
  EXPECT_EQ(
      sample(text, "arrload_errors_total{" + post_a + ",error=\"HTTPError('500 Server Error')\"}"),
      1);
  // 1.5, 3, 4.5 and 6 ms: one at or below 2.501 ms, three at or below 5.003 ms.
  const std::string bucket = "arrload_response_time_seconds_bucket{" + get_b + ",le=";
  EXPECT_EQ(sample(text, bucket + "\"0.002501\"}"), 1);
  EXPECT_EQ(sample(text, bucket + "\"0.005003\"}"), 3);
  EXPECT_EQ(sample(text, bucket + "\"+Inf\"}"), 4);
  EXPECT_EQ(sample(text, "arrload_response_time_seconds_count{" + get_b + "}"), 4);
  EXPECT_DOUBLE_EQ(sample(text, "arrload_response_time_seconds_sum{" + get_b + "}"), 0.015);
  EXPECT_EQ(text.find("name=\"Aggregated\""), std::string::npos);  // sum() gives it
  EXPECT_EQ(text.find("arrload_corrected_response_time_seconds_bucket"), std::string::npos);
  EXPECT_NE(text.find("# TYPE arrload_response_time_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE arrload_requests_total counter\n"), std::string::npos);
  EXPECT_EQ(sample(text, "arrload_stats_start_time_seconds"), 1'700'000'000);
  EXPECT_EQ(text.find("arrload_run_state"), std::string::npos);  // no state given
}

TEST(PrometheusText, ScheduledEndpointsAlsoHaveTheCorrectedHistogram) {
  const stats::Snapshot snap = test_support::scheduled_snapshot();
  const std::string text = prometheus_text(&snap, {});
  const std::string open = R"(method="GET",name="/open")";
  EXPECT_EQ(sample(text, "arrload_corrected_response_time_seconds_count{" + open + "}"), 6);
  // Corrected samples 2, 2, 2, 50, 100, 150 ms: five at or below 100.x ms.
  auto b = buckets(text, "arrload_corrected_response_time_seconds", open);
  ASSERT_FALSE(b.empty());
  for (const auto& [le, n] : b) {
    if (le >= 0.1 && le < 0.15) EXPECT_EQ(n, 5) << le;
  }
  EXPECT_EQ(sample(text, "arrload_late_starts_total{" + open + "}"), 3);
  EXPECT_EQ(
      text.find(R"(arrload_corrected_response_time_seconds_count{method="GET",name="/closed"})"),
      std::string::npos);
  EXPECT_EQ(sample(text, "arrload_dropped_iterations_total"), 2);
  EXPECT_EQ(sample(text, "arrload_scheduled_iterations_total"), 8);
}

TEST(PrometheusText, ErrorLabelsAreBoundedEscapedAndStable) {
  stats::Snapshot snap;
  // Fifteen messages on one endpoint, first seen in the order of their number, the later ones
  // the most frequent: the first ten keep their own series, the other five go to "other".
  for (int i = 0; i < 15; ++i) {
    snap.errors.push_back({stats::ErrorKey{"GET", "/x", "boom " + std::to_string(i)},
                           stats::ErrorCount{static_cast<std::uint64_t>(i + 1), 100.0 + i, 200}});
  }
  snap.errors.push_back({stats::ErrorKey{"POST", "/q\"uote", "line\nbreak \\ \"quoted\""},
                         stats::ErrorCount{2, 50, 60}});
  snap.errors.push_back(
      {stats::ErrorKey{"GET", "/long", std::string(300, 'e')}, stats::ErrorCount{1, 1, 1}});
  stats::sort_errors_by_frequency(snap.errors);
  const std::string text = prometheus_text(&snap, {});
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(sample(text, "arrload_errors_total{method=\"GET\",name=\"/x\",error=\"boom " +
                               std::to_string(i) + "\"}"),
              i + 1);
  }
  EXPECT_EQ(sample(text, R"(arrload_errors_total{method="GET",name="/x",error="other"})"),
            11 + 12 + 13 + 14 + 15);
  EXPECT_TRUE(
      std::isnan(sample(text, R"(arrload_errors_total{method="GET",name="/x",error="boom 10"})")));
  EXPECT_EQ(
      sample(
          text,
          R"(arrload_errors_total{method="POST",name="/q\"uote",error="line\nbreak \\ \"quoted\""})"),
      2);
  EXPECT_EQ(sample(text, "arrload_errors_total{method=\"GET\",name=\"/long\",error=\"" +
                             std::string(kMaxErrorLabelBytes - 3, 'e') + "...\"}"),
            1);
}

TEST(PrometheusText, InfoLinesAppearWhenKnown) {
  MetricsInfo info;
  info.state = "running";
  info.process_cpu_seconds = 12.5;
  info.generator_cpu_cores = 0.35;
  info.generator_saturated = false;
  info.target_resident_bytes = 123'456'789;
  const std::string text = prometheus_text(nullptr, info);
  EXPECT_EQ(sample(text, R"(arrload_run_state{state="running"})"), 1);
  EXPECT_EQ(sample(text, R"(arrload_run_state{state="stopped"})"), 0);
  EXPECT_EQ(sample(text, "process_cpu_seconds_total"), 12.5);
  EXPECT_EQ(sample(text, "arrload_generator_cpu_cores"), 0.35);
  EXPECT_EQ(sample(text, "arrload_generator_saturated"), 0);
  EXPECT_EQ(sample(text, "arrload_target_resident_memory_bytes"), 123'456'789);
  EXPECT_EQ(text.find("arrload_requests_total"), std::string::npos);         // no snapshot
  EXPECT_EQ(text.find("process_resident_memory_bytes"), std::string::npos);  // not given
}

TEST(PrometheusText, TheMetricsViewExportsTheSameText) {
  const stats::Snapshot snap = test_support::scheduled_snapshot();
  const stats::Snapshot view = metrics_view(snap);
  EXPECT_EQ(prometheus_text(&view, {}), prometheus_text(&snap, {}));
  EXPECT_EQ(view.endpoints.front().recent.num_requests, 0u);
}

}  // namespace
}  // namespace arrload::report
