#include "report/json.h"

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
      R"("total_rps":1E-1,"total_fail_per_sec":1E-1,)"
      R"("response_time_percentiles_ms":{"50%":2.5E0,"66%":2.5E0,"75%":2.5E0,"80%":2.5E0,)"
      R"("90%":2.5E0,"95%":2.5E0,"98%":2.5E0,"99%":2.5E0,"99.9%":2.5E0,"99.99%":2.5E0,)"
      R"("100%":2.5E0},"late_starts":0,"corrected":null},{"method":"GET","name":"/b","category":"","num_requests":4,)"
      R"("num_failures":0,"min_response_time_ms":1.5E0,"max_response_time_ms":6E0,)"
      R"("avg_response_time_ms":3.75E0,"total_content_length":40,"avg_content_length":1E1,)"
      R"("total_rps":4E-1,"total_fail_per_sec":0E0,)"
      R"("response_time_percentiles_ms":{"50%":3.001E0,"66%":4.503E0,"75%":4.503E0,"80%":6E0,)"
      R"("90%":6E0,"95%":6E0,"98%":6E0,"99%":6E0,"99.9%":6E0,"99.99%":6E0,"100%":6E0},)"
      R"("late_starts":0,"corrected":null})");
  EXPECT_EQ(between(report, "\"aggregated\":", ",\"fail_ratio\""),
            R"("aggregated":{"method":"","name":"Aggregated","category":"","num_requests":5,)"
            R"("num_failures":1,"min_response_time_ms":1.5E0,"max_response_time_ms":6E0,)"
            R"("avg_response_time_ms":3.5E0,"total_content_length":47,"avg_content_length":9.4E0,)"
            R"("total_rps":5E-1,"total_fail_per_sec":1E-1,)"
            R"("response_time_percentiles_ms":{"50%":3.001E0,"66%":4.503E0,"75%":4.503E0,)"
            R"("80%":4.503E0,"90%":6E0,"95%":6E0,"98%":6E0,"99%":6E0,"99.9%":6E0,"99.99%":6E0,)"
            R"("100%":6E0},"late_starts":0,"corrected":null})");
}

}  // namespace
}  // namespace arrload::report
