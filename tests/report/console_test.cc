// The console's corrected table: beside the service times, only when the run had a schedule.
#include "report/console.h"

#include <gtest/gtest.h>

#include "integration/harness.h"
#include "support/snapshots.h"

namespace arrload::report {
namespace {

using testing::split_lines;

// The line of TABLE that starts with PREFIX; empty when none does.
std::string line_starting(const std::string& table, const std::string& prefix) {
  for (const std::string& line : split_lines(table)) {
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return {};
}

TEST(ConsoleCorrected, ServiceAndCorrectedTimesSideBySide) {
  const std::string table = corrected_table(test_support::scheduled_snapshot());
  // Samples, late starts, then 50%, 95%, 99% and Max: each service time then corrected.
  EXPECT_EQ(line_starting(table, "GET      /open"),
            "GET      /open                |         6        3(50.00%) |       2       2 |"
            "       2     150 |       2     150 |       2     150");
  EXPECT_NE(line_starting(table, "         Aggregated").find("|         8        3(50.00%) |"),
            std::string::npos);
  EXPECT_EQ(line_starting(table, "GET      /closed"), "");  // nothing scheduled there
  EXPECT_EQ(line_starting(table, "Dropped iterations"),
            "Dropped iterations: 2 of 10 due (20.00%; no free user to start them)");
  EXPECT_NE(table.find("coordinated omission"), std::string::npos);
}

TEST(ConsoleCorrected, TheFinalSummaryCarriesIt) {
  const stats::Snapshot snap = test_support::scheduled_snapshot();
  const std::string summary = final_summary(snap);
  EXPECT_NE(summary.find(corrected_table(snap)), std::string::npos);
  EXPECT_LT(summary.find("Response time percentiles"), summary.find("coordinated omission"));
}

TEST(ConsoleCorrected, AClosedModelRunsSummaryIsUnchanged) {
  const stats::Snapshot snap = test_support::two_endpoints_snapshot();
  EXPECT_EQ(corrected_table(snap), "");
  EXPECT_EQ(final_summary(snap), stats_table(snap, /*whole_run=*/true) + "\n" +
                                     percentiles_table(snap) + "\n" + error_report(snap) + "\n");
}

TEST(ConsoleCorrected, DroppedIterationsAloneStillShow) {
  stats::Snapshot snap = test_support::two_endpoints_snapshot();
  snap.dropped_iterations = 4;
  const std::string table = corrected_table(snap);
  EXPECT_EQ(line_starting(table, "Dropped iterations"),
            "Dropped iterations: 4 of 4 due (100.00%; no free user to start them)");
  EXPECT_EQ(line_starting(table, "Type"), "");  // no endpoint was scheduled: no table
}

}  // namespace
}  // namespace arrload::report
