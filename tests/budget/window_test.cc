// Per-window budgets: the windows are cut from the one-second stream of closed seconds.
#include "budget/window.h"

#include <gtest/gtest.h>

#include "budget/verdict.h"

namespace arrload::budget {
namespace {

const stats::EndpointKey kShows{"GET", "/api/v1/shows/"};

// The snapshot a tick at ELAPSED_S produces when the second just closed held REQUESTS of
// LATENCY_MS each (FAILURES of them failed) on /api/v1/shows/.
stats::Snapshot second_at(double elapsed_s, int requests, double latency_ms, int failures = 0) {
  stats::Snapshot snap;
  snap.elapsed_s = elapsed_s;
  stats::EndpointStats row;
  row.key = kShows;
  for (int i = 0; i < requests; ++i) {
    row.last_second.record(static_cast<std::uint64_t>(latency_ms * 1000), 100, i < failures);
  }
  row.last_second.category = "read";
  snap.aggregated.key = stats::EndpointKey{"", "Aggregated"};
  snap.aggregated.last_second = row.last_second;
  snap.endpoints.push_back(row);
  return snap;
}

Budgets budgets_of(std::initializer_list<const char*> rules) {
  Budgets b;
  for (const char* r : rules) b.add(parse_rule(r, "test"));
  return b;
}

TEST(WindowJudge, InactiveWithoutWindowedRules) {
  WindowJudge w(budgets_of({"read:p95<500ms", "error_rate<1%"}));
  EXPECT_FALSE(w.active());
  w.add_second(second_at(1, 10, 20));
  EXPECT_FALSE(w.result(parse_threshold("p95<500ms every 2s"), &kShows));
}

// Six seconds of fast answers with one slow second: the whole run's p95 stays fast, the window
// that holds the slow second does not.
TEST(WindowJudge, OneSlowWindowFailsWhatTheWholeRunHides) {
  WindowJudge w(budgets_of({"read:p95<100ms every 2s"}));
  ASSERT_TRUE(w.active());
  for (int s = 1; s <= 6; ++s) w.add_second(second_at(s, 100, s == 4 ? 900 : 20));
  Threshold t = parse_threshold("p95<100ms every 2s");
  auto r = w.result(t, &kShows);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->judged, 3);
  EXPECT_EQ(r->breached, 1);
  EXPECT_NEAR(r->worst, 900, 1);  // the histogram's bucket, within 0.1%
  EXPECT_DOUBLE_EQ(r->worst_start_s, 2);
  EXPECT_DOUBLE_EQ(r->worst_length_s, 2);
  // The run as a whole: the window of the run (the run scope) sees the same.
  auto run = w.result(t, nullptr);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->breached, 1);
}

TEST(WindowJudge, RatesAreOverTheWindowAndAnEmptyWindowIsARateOfZero) {
  WindowJudge w(budgets_of({"rps>=50 every 2s", "error_rate<10% every 2s"}));
  w.add_second(second_at(1, 60, 5));
  w.add_second(second_at(2, 60, 5, /*failures=*/30));  // 120 in 2 s, 25% failed
  w.add_second(second_at(3, 0, 0));
  w.add_second(second_at(4, 0, 0));  // nothing for 2 s
  auto rps = w.result(parse_threshold("rps>=50 every 2s"), &kShows);
  ASSERT_TRUE(rps);
  EXPECT_EQ(rps->judged, 2);
  EXPECT_EQ(rps->breached, 1);
  EXPECT_DOUBLE_EQ(rps->worst, 0);  // the lowest rate is the worst for a minimum
  EXPECT_DOUBLE_EQ(rps->worst_start_s, 2);
  auto errors = w.result(parse_threshold("error_rate<10% every 2s"), &kShows);
  ASSERT_TRUE(errors);
  EXPECT_EQ(errors->judged, 1);  // the empty window has no error rate
  EXPECT_DOUBLE_EQ(errors->worst, 0.25);
}

TEST(WindowJudge, FinishJudgesALongEnoughPartialWindowOnly) {
  Threshold t = parse_threshold("p95<100ms every 4s");
  {
    WindowJudge w(budgets_of({"p95<100ms every 4s"}));
    for (int s = 1; s <= 4; ++s) w.add_second(second_at(s, 10, 20));
    w.add_second(second_at(5, 10, 500));
    w.finish(second_at(5.4, 0, 0));  // 1.4 s of a 4 s window: dropped
    auto r = w.result(t, nullptr);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->judged, 1);
    EXPECT_EQ(r->breached, 0);
  }
  {
    WindowJudge w(budgets_of({"p95<100ms every 4s"}));
    for (int s = 1; s <= 4; ++s) w.add_second(second_at(s, 10, 20));
    w.add_second(second_at(5, 10, 500));
    w.add_second(second_at(6, 10, 500));
    w.finish(second_at(6.5, 0, 0));  // 2.5 s of 4 s: judged, over its own length
    auto r = w.result(t, nullptr);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->judged, 2);
    EXPECT_EQ(r->breached, 1);
    EXPECT_DOUBLE_EQ(r->worst_length_s, 2.5);
  }
}

// The run stopped 0.9 s after the last closed window, before the statistics closed a second of
// it: the empty partial window is not a rate of 0.
TEST(WindowJudge, AnEmptyLastPartialWindowIsNotJudged) {
  WindowJudge w(budgets_of({"rps>=1 every 1s"}));
  w.add_second(second_at(1, 10, 20));
  w.add_second(second_at(2, 10, 20));
  w.finish(second_at(2.9, 0, 0));
  auto r = w.result(parse_threshold("rps>=1 every 1s"), nullptr);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->judged, 2);
  EXPECT_EQ(r->breached, 0);
}

TEST(WindowJudge, AResetStartsTheWindowsAgain) {
  WindowJudge w(budgets_of({"p95<100ms every 2s"}));
  w.add_second(second_at(1, 10, 900));
  w.add_second(second_at(2, 10, 900));  // a slow ramp-up window
  w.add_second(second_at(1, 10, 20));   // --reset-stats: elapsed starts again
  w.add_second(second_at(2, 10, 20));
  auto r = w.result(parse_threshold("p95<100ms every 2s"), nullptr);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->judged, 1);
  EXPECT_EQ(r->breached, 0);
}

TEST(WindowJudge, TheVerdictReportsTheWorstWindow) {
  Budgets b = budgets_of({"read:p95<100ms every 2s", "read:p95<500ms"});
  WindowJudge w(b);
  stats::Snapshot final_snap;
  for (int s = 1; s <= 6; ++s) {
    final_snap = second_at(s, 100, s == 4 ? 900 : 20);
    w.add_second(final_snap);
  }
  // The final snapshot's totals: 600 requests, 100 of them slow (p95 is slow too, so the
  // whole-run budget is loose enough to pass).
  final_snap.endpoints[0].total.category = "read";
  for (int s = 1; s <= 6; ++s) {
    final_snap.endpoints[0].total.merge(
        second_at(s, 100, s == 4 ? 400 : 20).endpoints[0].last_second);
  }
  w.finish(final_snap);
  Verdict v = judge(final_snap, b, &w);
  ASSERT_EQ(v.checks.size(), 2u);
  const Check& windowed = v.checks[0].threshold.window_s ? v.checks[0] : v.checks[1];
  const Check& whole = v.checks[0].threshold.window_s ? v.checks[1] : v.checks[0];
  EXPECT_TRUE(whole.pass) << whole.describe_actual();
  EXPECT_FALSE(windowed.pass);
  EXPECT_EQ(windowed.describe_actual(), "900 ms (worst of 3 windows, from 2 s; 1 over)");
  EXPECT_EQ(v.exit_code(), kExitBudget);

  // Without windows, a windowed budget has nothing to judge and must not pass silently.
  Verdict blind = judge(final_snap, b);
  for (const Check& c : blind.checks) {
    if (c.threshold.window_s) {
      EXPECT_FALSE(c.pass);
      EXPECT_EQ(c.describe_actual(), "no 2 s window with requests");
    }
  }
}

// A second at ELAPSED_S of an open-model run: REQUESTS scheduled requests of 2 ms service time on
// /api/v1/shows/, each started LATE_MS late, beside a closed endpoint's 1 ms request; the run
// totals have DROPPED and STARTED iterations.
stats::Snapshot scheduled_second_at(double elapsed_s, int requests, std::uint64_t late_ms,
                                    std::uint64_t dropped, std::uint64_t started) {
  stats::Snapshot snap = second_at(elapsed_s, 0, 0);
  stats::Entry open = snap.endpoints[0].last_second;
  for (int i = 0; i < requests; ++i) open.record_scheduled(2'000, late_ms * 1000, 100, false);
  snap.endpoints[0].last_second = open;
  stats::EndpointStats closed;
  closed.key = {"GET", "/closed"};
  closed.last_second.record(1'000, 10, false);
  snap.endpoints.insert(snap.endpoints.begin(), closed);
  snap.aggregated.last_second = open;
  snap.aggregated.last_second.merge(closed.last_second);
  snap.dropped_iterations = dropped;
  snap.scheduled_iterations = started;
  return snap;
}

// The windows judge corrected times as the whole run does: a window whose requests started
// 300 ms late fails a corrected p95 that their service time passes.
TEST(WindowJudge, CorrectedTimesPerWindow) {
  WindowJudge w(
      budgets_of({"p95<100ms every 2s", "p95_service<100ms every 2s", "late<10% every 2s"}));
  w.add_second(scheduled_second_at(1, 10, 0, 0, 10));
  w.add_second(scheduled_second_at(2, 10, 0, 0, 20));
  w.add_second(scheduled_second_at(3, 10, 300, 0, 30));
  w.add_second(scheduled_second_at(4, 10, 0, 0, 40));
  const auto corrected = w.result(parse_threshold("p95<100ms every 2s"), &kShows);
  ASSERT_TRUE(corrected);
  EXPECT_EQ(corrected->judged, 2);
  EXPECT_EQ(corrected->breached, 1);
  EXPECT_NEAR(corrected->worst, 302, 1);
  EXPECT_DOUBLE_EQ(corrected->worst_start_s, 2);
  const auto run = w.result(parse_threshold("p95<100ms every 2s"), nullptr);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->breached, 1);  // the closed endpoint's 1 ms among the run's corrected times
  const auto service = w.result(parse_threshold("p95_service<100ms every 2s"), nullptr);
  ASSERT_TRUE(service);
  EXPECT_EQ(service->breached, 0);
  EXPECT_NEAR(service->worst, 2, 0.01);
  const auto late = w.result(parse_threshold("late<10% every 2s"), nullptr);
  ASSERT_TRUE(late);
  EXPECT_DOUBLE_EQ(late->worst, 0.5);  // 10 of the window's 20 scheduled samples
}

// Dropped iterations per window, from the run totals' growth between seconds.
TEST(WindowJudge, DroppedIterationsPerWindow) {
  const Threshold t = parse_threshold("dropped<5% every 2s");
  WindowJudge w(budgets_of({"dropped<5% every 2s"}));
  w.add_second(scheduled_second_at(1, 10, 0, 0, 10));
  w.add_second(scheduled_second_at(2, 10, 0, 0, 20));   // 0 of 20
  w.add_second(scheduled_second_at(3, 0, 0, 10, 20));   // a stall: 10 dropped, none started
  w.add_second(scheduled_second_at(4, 10, 0, 10, 30));  // 10 of 20 in the window
  w.add_second(scheduled_second_at(1, 10, 0, 0, 10));   // --reset-stats: totals start again
  w.add_second(scheduled_second_at(2, 10, 0, 1, 19));   // 1 of 20
  auto r = w.result(t, nullptr);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->judged, 1);  // the reset forgot the windows before it
  EXPECT_DOUBLE_EQ(r->worst, 0.05);
  EXPECT_EQ(r->breached, 1);

  WindowJudge before_reset(budgets_of({"dropped<5% every 2s"}));
  for (double s = 1; s <= 4; ++s) {
    before_reset.add_second(scheduled_second_at(s, s == 3 ? 0 : 10, 0, s >= 3 ? 10 : 0,
                                                s == 1 ? 10 : (s == 4 ? 30 : 20)));
  }
  auto two = before_reset.result(t, nullptr);
  ASSERT_TRUE(two);
  EXPECT_EQ(two->judged, 2);
  EXPECT_DOUBLE_EQ(two->worst, 0.5);
  EXPECT_DOUBLE_EQ(two->worst_start_s, 2);

  // In a closed-model run nothing is due: the verdict says so and passes, as over the whole run.
  Budgets b = budgets_of({"dropped<1% every 2s"});
  WindowJudge closed(b);
  for (int s = 1; s <= 4; ++s) closed.add_second(second_at(s, 10, 20));
  Verdict v = judge(second_at(4, 10, 20), b, &closed);
  ASSERT_EQ(v.checks.size(), 1u);
  EXPECT_TRUE(v.checks[0].pass);
  EXPECT_EQ(v.checks[0].describe_actual(), "0% (nothing scheduled)");
}

}  // namespace
}  // namespace arrload::budget
