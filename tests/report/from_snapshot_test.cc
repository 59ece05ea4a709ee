// The reports are functions of a Snapshot (plus plain run information): a cluster master that
// merges its workers' encoded snapshots writes the same files a single process would have.
#include <gtest/gtest.h>

#include <string>

#include "report/console.h"
#include "report/csv.h"
#include "report/history.h"
#include "report/html.h"
#include "report/json.h"
#include "stats/aggregator.h"
#include "stats/codec.h"

namespace arrload::report {
namespace {

struct Nodes {
  stats::Snapshot a, b, together;
};

// Three seconds of requests to three endpoints, /c's scheduled (some started late, some after
// missed starts), and open-model iterations started and dropped; every third request goes to
// node B, the rest to node A, and all of them to TOGETHER.
Nodes three_seconds() {
  const double start = 1'700'000'000.0;
  stats::Aggregator aa(0, start), ab(0, start), at(0, start);
  const char* names[] = {"/a", "/b, with comma", "/c"};
  for (int s = 0; s < 3; ++s) {
    stats::Shard sa, sb, st;
    for (int i = 0; i < 300; ++i) {
      const auto us = static_cast<std::uint64_t>(1 + (i * 7919) % 250'000);
      const bool failed = i % 17 == 0;
      stats::Shard& one = i % 3 == 0 ? sb : sa;
      for (stats::Shard* shard : {&one, &st}) {
        const char* method = i % 2 ? "GET" : "POST";
        const char* error = i % 2 ? "HTTP 500" : "timeout";
        if (i % 3 == 2) {
          const std::uint64_t late = (static_cast<std::uint64_t>(i) * 104'729) % 300'000;
          const std::uint64_t missed = late / 100'000;  // one start per 100 ms
          shard->record_scheduled(method, names[2], us, {late, missed, 100'000}, 10, failed, error,
                                  "reads");
          if (i % 11 == 0) shard->add_dropped(1);
          shard->add_scheduled();
        } else {
          shard->record(method, names[i % 3], us, 10, failed, error, "reads");
        }
      }
    }
    for (auto [shard, agg] : {std::pair{&sa, &aa}, std::pair{&sb, &ab}, std::pair{&st, &at}}) {
      stats::ShardDelta d = shard->take();
      for (auto& [key, count] : d.errors) count.first_seen = count.last_seen = start + s;
      agg->absorb(std::move(d));
      agg->tick();
    }
  }
  Nodes n{aa.snapshot(3'000'000, start + 3), ab.snapshot(3'000'000, start + 3),
          at.snapshot(3'000'000, start + 3)};
  n.a.user_count = n.a.peak_user_count = 2;
  n.b.user_count = n.b.peak_user_count = 1;
  n.together.user_count = n.together.peak_user_count = 3;
  n.a.users_per_class = {{"Reader", 2}};
  n.b.users_per_class = {{"Reader", 1}};
  n.together.users_per_class = {{"Reader", 3}};
  n.b.exceptions = {{"KeyError: id", 2}};
  n.together.exceptions = {{"KeyError: id", 2}};
  return n;
}

// Every report this module writes, from SNAP alone (and the same plain run information).
std::string all_reports(const stats::Snapshot& snap) {
  RunInfo info{"http://127.0.0.1:1", "suite.yaml", "run_time", nullptr, ""};
  History history;
  history.append(snap, /*force=*/true);
  HtmlReport html;
  html.snap = &snap;
  html.info = info;
  html.history = &history;
  return stats_csv(snap) + corrected_stats_csv(snap) + failures_csv(snap) + exceptions_csv(snap) +
         history_csv_rows(snap, true) + json_report(snap, info) + final_summary(snap) +
         html_report(html);
}

TEST(ReportsFromSnapshot, AMergedAndDecodedSnapshotWritesTheSameReports) {
  const Nodes n = three_seconds();
  ASSERT_FALSE(n.together.errors.empty());
  ASSERT_GT(n.together.dropped_iterations, 0u);
  ASSERT_GT(n.together.aggregated.total.late_starts, 0u);
  stats::Snapshot merged;
  for (const stats::Snapshot* node : {&n.a, &n.b}) {
    stats::Decoded<stats::Snapshot> wire = stats::decode_snapshot(stats::encode_snapshot(*node));
    ASSERT_TRUE(wire) << wire.error;
    merged.merge(*wire.value);
  }
  const std::string want = all_reports(n.together);
  EXPECT_EQ(all_reports(merged), want);
  // ... and the reports do depend on the data: one node alone writes different ones.
  EXPECT_NE(all_reports(n.a), want);
}

}  // namespace
}  // namespace arrload::report
