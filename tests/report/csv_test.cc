#include "report/csv.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "integration/harness.h"
#include "report/console.h"
#include "report/format.h"
#include "stats/aggregator.h"
#include "support/snapshots.h"

namespace arrload::report {
namespace {

using testing::split_cells;
using testing::split_lines;

stats::Snapshot sample_snapshot() {
  stats::Aggregator agg(0, 1'700'000'000.0);
  stats::Shard shard;
  for (int i = 1; i <= 100; ++i)
    shard.record("GET", "/b", static_cast<std::uint64_t>(i) * 1000, 10, false);
  shard.record("POST", "/a, with comma", 2500, 5, true, "HTTPError('500 Server Error')");
  shard.record("GET", "/a, with comma", 1500, 5, false);
  agg.absorb(shard.take());
  agg.tick();
  return agg.snapshot(10'000'000, 1'700'000'010.0);
}

TEST(StatsCsv, HasLocustsHeaderRowOrderAndAggregatedRow) {
  auto rows = split_lines(stats_csv(sample_snapshot()));
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0],
            "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
            "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,"
            "66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%");
  auto get_a = split_cells(rows[1]);
  auto post_a = split_cells(rows[2]);
  auto get_b = split_cells(rows[3]);
  auto total = split_cells(rows[4]);
  ASSERT_EQ(get_a.size(), 22u);
  EXPECT_EQ(get_a[0], "GET");
  EXPECT_EQ(get_a[1], "/a, with comma");  // quoted, sorted by name then method
  EXPECT_EQ(post_a[0], "POST");
  EXPECT_EQ(post_a[3], "1");
  EXPECT_EQ(get_b[1], "/b");
  EXPECT_EQ(get_b[2], "100");
  EXPECT_EQ(get_b[6], "1");     // min 1 ms
  EXPECT_EQ(get_b[7], "100");   // max 100 ms
  EXPECT_EQ(get_b[21], "100");  // 100% == max
  EXPECT_EQ(get_b[9], "10.0");  // 100 requests over 10 s
  EXPECT_EQ(total[0], "");
  EXPECT_EQ(total[1], "Aggregated");
  EXPECT_EQ(total[2], "102");
  EXPECT_EQ(total[3], "1");
}

TEST(StatsCsv, PercentilesAreNotApplicableWithoutRequests) {
  stats::Aggregator agg(0, 1'700'000'000.0);
  auto rows = split_lines(stats_csv(agg.snapshot(1'000'000, 1'700'000'001.0)));
  ASSERT_EQ(rows.size(), 2u);
  auto total = split_cells(rows[1]);
  EXPECT_EQ(total[1], "Aggregated");
  EXPECT_EQ(total[2], "0");
  for (int i = 11; i < 22; ++i) EXPECT_EQ(total[static_cast<std::size_t>(i)], "N/A");
}

TEST(FailuresCsv, GroupsByMethodNameAndError) {
  auto rows = split_lines(failures_csv(sample_snapshot()));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], "Method,Name,Error,Occurrences");
  auto row = split_cells(rows[1]);
  EXPECT_EQ(row[0], "POST");
  EXPECT_EQ(row[1], "/a, with comma");
  EXPECT_EQ(row[2], "HTTPError('500 Server Error')");
  EXPECT_EQ(row[3], "1");
}

TEST(HistoryCsv, AggregatedOnlyUnlessFullHistory) {
  auto snap = sample_snapshot();
  snap.user_count = 7;
  auto header = split_cells(split_lines(history_csv_header())[0]);
  ASSERT_EQ(header.size(), 24u);
  EXPECT_EQ(header[0], "Timestamp");
  EXPECT_EQ(header[23], "Total Average Content Size");
  auto short_rows = split_lines(history_csv_rows(snap, false));
  ASSERT_EQ(short_rows.size(), 1u);
  auto row = split_cells(short_rows[0]);
  EXPECT_EQ(row[0], "1700000010");
  EXPECT_EQ(row[1], "7");
  EXPECT_EQ(row[3], "Aggregated");
  EXPECT_EQ(row[17], "102");
  EXPECT_EQ(split_lines(history_csv_rows(snap, true)).size(), 4u);
}

// The expected corrected cells of a row from H, its corrected times, as Locust's writer would put
// them: Median, Average, Min, Max, and the eleven percentile columns.
void expect_times(const std::vector<std::string>& row, const stats::Histogram& h) {
  ASSERT_EQ(row.size(), 22u);
  EXPECT_EQ(row[4], ms_cell(static_cast<double>(h.percentile(0.5))));
  EXPECT_EQ(row[5], ms_cell(h.mean()));
  EXPECT_EQ(row[6], ms_cell(static_cast<double>(h.min())));
  EXPECT_EQ(row[7], ms_cell(static_cast<double>(h.max())));
  for (std::size_t i = 0; i < std::size(kPercentiles); ++i) {
    EXPECT_EQ(row[11 + i], ms_cell(static_cast<double>(h.percentile(kPercentiles[i]))))
        << kPercentileLabels[i];
  }
}

TEST(CorrectedStatsCsv, SameColumnsAndRowsWithTheCorrectedTimes) {
  const stats::Snapshot snap = test_support::scheduled_snapshot();
  const auto service = split_lines(stats_csv(snap));
  const auto corrected = split_lines(corrected_stats_csv(snap));
  ASSERT_EQ(corrected.size(), 4u);  // header, /closed, /open, Aggregated
  EXPECT_EQ(corrected[0], service[0]);
  // An endpoint with nothing scheduled: its row as in _stats.csv.
  EXPECT_EQ(corrected[1], service[1]);
  EXPECT_EQ(split_cells(corrected[1])[1], "/closed");

  const auto open = split_cells(corrected[2]);
  EXPECT_EQ(open[1], "/open");
  EXPECT_EQ(open[2], "6");  // 5 requests sent and the start missed while busy
  EXPECT_EQ(open[3], "0");
  EXPECT_EQ(open[7], "150");                    // from the intended start of the 148 ms late one
  EXPECT_EQ(open[8], "10.0");                   // content size of the responses received
  EXPECT_EQ(open[9], "0.5");                    // requests sent per second, as in _stats.csv
  EXPECT_EQ(open[21], "150");                   // 100%
  EXPECT_EQ(split_cells(service[2])[21], "2");  // the service time hides the stall
  expect_times(open, test_support::open_corrected_times());

  stats::Histogram all = test_support::open_corrected_times();
  all.record(1'000);
  all.record(3'000);
  const auto total = split_cells(corrected[3]);
  EXPECT_EQ(total[1], "Aggregated");
  EXPECT_EQ(total[2], "8");
  EXPECT_EQ(total[9], "0.7");
  expect_times(total, all);
}

TEST(CorrectedStatsCsv, WrittenOnlyForARunWithASchedule) {
  testing::TempDir dir;
  write_final_csv(dir.file("closed"), test_support::two_endpoints_snapshot());
  EXPECT_TRUE(std::filesystem::exists(dir.file("closed_stats.csv")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("closed_corrected_stats.csv")));

  const stats::Snapshot snap = test_support::scheduled_snapshot();
  write_final_csv(dir.file("open"), snap);
  EXPECT_EQ(testing::read_file(dir.file("open_corrected_stats.csv")), corrected_stats_csv(snap));
  // Locust's file keeps the service times.
  EXPECT_EQ(testing::read_file(dir.file("open_stats.csv")), stats_csv(snap));
}

TEST(StatsCsv, ServiceTimesWhateverWasScheduled) {
  const stats::Snapshot snap = test_support::scheduled_snapshot();
  const auto open = testing::stats_row(stats_csv(snap), "/open");
  ASSERT_EQ(open.size(), 22u);
  EXPECT_EQ(open[2], "5");
  EXPECT_EQ(open[7], "2");
  for (int i = 11; i < 22; ++i) EXPECT_EQ(open[static_cast<std::size_t>(i)], "2");
  // Nor does the history show corrected times.
  EXPECT_EQ(split_cells(split_lines(history_csv_rows(snap, false))[0])[16], "3");
}

TEST(MsCell, DecimalsOnlyBelowTenMilliseconds) {
  EXPECT_EQ(ms_cell(420), "0.42");
  EXPECT_EQ(ms_cell(1000), "1");
  EXPECT_EQ(ms_cell(9990), "9.99");
  EXPECT_EQ(ms_cell(12'400), "12");
  EXPECT_EQ(ms_cell(0), "0");
}

TEST(Console, TablesNameEveryEndpoint) {
  auto snap = sample_snapshot();
  std::string table = stats_table(snap);
  EXPECT_NE(table.find("/b"), std::string::npos);
  EXPECT_NE(table.find("Aggregated"), std::string::npos);
  EXPECT_NE(table.find("1(0.98%)"), std::string::npos);
  EXPECT_NE(error_report(snap).find("HTTPError('500 Server Error')"), std::string::npos);
  EXPECT_NE(percentiles_table(snap).find("99.99%"), std::string::npos);
}

}  // namespace
}  // namespace arrload::report
