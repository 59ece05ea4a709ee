#include "report/json.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <gtest/gtest.h>

#include "support/snapshots.h"

namespace arrload::report {
namespace {

using test_support::two_endpoints_snapshot;

// The text of TEXT from the first FROM (included) to the next UNTIL (excluded).
std::string between(const std::string& text, const std::string& from, const std::string& until) {
  const std::size_t begin = text.find(from);
  if (begin == std::string::npos) return "(no " + from + ")";
  return text.substr(begin, text.find(until, begin) - begin);
}

// The exact text of the entries (docs/reports.md), fields in order.
TEST(JsonReport, EntriesAsWritten) {
  const std::string report = json_report(two_endpoints_snapshot(), RunInfo{});
  EXPECT_EQ(
      between(report, "\"stats\":[", "]"),
      R"("stats":[{"method":"POST","name":"/a","category":"","num_requests":1,)"
      R"("num_failures":1,"min_response_time_ms":2.5E0,"max_response_time_ms":2.5E0,)"
      R"("avg_response_time_ms":2.5E0,"total_content_length":7,"avg_content_length":7E0,)"
      R"("total_wire_bytes":7,"redirects":0,)"
      R"("total_rps":1E-1,"total_fail_per_sec":1E-1,)"
      R"("response_time_percentiles_ms":{"50%":2.5E0,"66%":2.5E0,"75%":2.5E0,"80%":2.5E0,)"
      R"("90%":2.5E0,"95%":2.5E0,"98%":2.5E0,"99%":2.5E0,"99.9%":2.5E0,"99.99%":2.5E0,)"
      R"("100%":2.5E0},"late_starts":0,"corrected":null},{"method":"GET","name":"/b","category":"","num_requests":4,)"
      R"("num_failures":0,"min_response_time_ms":1.5E0,"max_response_time_ms":6E0,)"
      R"("avg_response_time_ms":3.75E0,"total_content_length":40,"avg_content_length":1E1,)"
      R"("total_wire_bytes":40,"redirects":0,)"
      R"("total_rps":4E-1,"total_fail_per_sec":0E0,)"
      R"("response_time_percentiles_ms":{"50%":3.001E0,"66%":4.503E0,"75%":4.503E0,"80%":6E0,)"
      R"("90%":6E0,"95%":6E0,"98%":6E0,"99%":6E0,"99.9%":6E0,"99.99%":6E0,"100%":6E0},)"
      R"("late_starts":0,"corrected":null})");
  EXPECT_EQ(between(report, "\"aggregated\":", ",\"fail_ratio\""),
            R"("aggregated":{"method":"","name":"Aggregated","category":"","num_requests":5,)"
            R"("num_failures":1,"min_response_time_ms":1.5E0,"max_response_time_ms":6E0,)"
            R"("avg_response_time_ms":3.5E0,"total_content_length":47,"avg_content_length":9.4E0,)"
            R"("total_wire_bytes":47,"redirects":0,)"
            R"("total_rps":5E-1,"total_fail_per_sec":1E-1,)"
            R"("response_time_percentiles_ms":{"50%":3.001E0,"66%":4.503E0,"75%":4.503E0,)"
            R"("80%":4.503E0,"90%":6E0,"95%":6E0,"98%":6E0,"99%":6E0,"99.9%":6E0,"99.99%":6E0,)"
            R"("100%":6E0},"late_starts":0,"corrected":null})");
}

// Scheduled endpoints gain their corrected times; the run, its dropped iterations.
TEST(JsonReport, CorrectedTimesLateStartsAndDroppedIterations) {
  const stats::Snapshot snap = test_support::scheduled_snapshot();
  const std::string report = json_report(snap, RunInfo{});
  EXPECT_EQ(between(report, "\"late_starts\":0", "},"), R"("late_starts":0,"corrected":null)");
  const std::string open = between(report, "\"name\":\"/open\"", "\"name\":\"Aggregated\"");
  EXPECT_NE(open.find(R"("response_time_percentiles_ms":{"50%":2E0,)"), std::string::npos)
      << open;  // the service times stay where they were
  const stats::Histogram h = test_support::open_corrected_times();
  const auto pct = [&](double q) { return static_cast<double>(h.percentile(q)) / 1000.0; };
  EXPECT_EQ(between(open, "\"late_starts\"", "}}"),
            fmt::format(R"("late_starts":3,"corrected":{{"num_samples":6,"late_start_share":5E-1,)"
                        R"("min_response_time_ms":2E0,"max_response_time_ms":1.5E2,)"
                        R"("avg_response_time_ms":{},"response_time_percentiles_ms":{{)"
                        R"("50%":{},"66%":{},"75%":{},"80%":{},"90%":{},"95%":{},"98%":{},)"
                        R"("99%":{},"99.9%":{},"99.99%":{},"100%":1.5E2)",
                        boost::json::serialize(boost::json::value(h.mean() / 1000.0)),
                        boost::json::serialize(boost::json::value(pct(0.5))),
                        boost::json::serialize(boost::json::value(pct(0.66))),
                        boost::json::serialize(boost::json::value(pct(0.75))),
                        boost::json::serialize(boost::json::value(pct(0.8))),
                        boost::json::serialize(boost::json::value(pct(0.9))), "1.5E2", "1.5E2",
                        "1.5E2", "1.5E2", "1.5E2"));
  const boost::json::object root = boost::json::parse(report).as_object();
  const boost::json::object& total = root.at("aggregated").as_object();
  EXPECT_EQ(total.at("late_starts").to_number<std::uint64_t>(), 3u);
  const boost::json::object& corrected = total.at("corrected").as_object();
  EXPECT_EQ(corrected.at("num_samples").to_number<std::uint64_t>(),
            8u);  // /closed's service times too
  EXPECT_DOUBLE_EQ(corrected.at("late_start_share").as_double(), 0.5);
  EXPECT_DOUBLE_EQ(corrected.at("min_response_time_ms").as_double(), 1.0);
  EXPECT_EQ(root.at("dropped_iterations").to_number<std::uint64_t>(), 2u);
  EXPECT_EQ(root.at("scheduled_iterations").to_number<std::uint64_t>(), 8u);
  EXPECT_DOUBLE_EQ(root.at("dropped_share").as_double(), 0.2);
}

TEST(JsonReport, AClosedModelRunHasNoCorrectedTimesAndNoDroppedShare) {
  const std::string report = json_report(two_endpoints_snapshot(), RunInfo{});
  EXPECT_NE(report.find(R"("fail_ratio":2E-1,"dropped_iterations":0,"scheduled_iterations":0,)"
                        R"("dropped_share":null,)"),
            std::string::npos)
      << report;
}

TEST(JsonReport, VerdictChecksSayWhetherTheyWereCorrected) {
  const stats::Snapshot snap = test_support::scheduled_snapshot();
  budget::Budgets budgets;
  budgets.add(budget::parse_rule("GET /open:p95<10ms", "--budget"));
  budgets.add(budget::parse_rule("GET /open:p95_service<10ms", "--budget"));
  const budget::Verdict verdict = budget::judge(snap, budgets);
  RunInfo info;
  info.verdict = &verdict;
  const boost::json::object root = boost::json::parse(json_report(snap, info)).as_object();
  const boost::json::array& checks = root.at("verdict").at("checks").as_array();
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].at("metric").as_string(), "p95");
  EXPECT_TRUE(checks[0].at("corrected").as_bool());
  EXPECT_FALSE(checks[0].at("pass").as_bool());
  EXPECT_EQ(checks[1].at("metric").as_string(), "p95_service");
  EXPECT_FALSE(checks[1].at("corrected").as_bool());
  EXPECT_TRUE(checks[1].at("pass").as_bool());
}

}  // namespace
}  // namespace arrload::report
