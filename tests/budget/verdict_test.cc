#include "budget/verdict.h"

#include <gtest/gtest.h>

#include "report/verdict.h"
#include "support/snapshots.h"

namespace arrload::budget {
namespace {

stats::EndpointStats row(const std::string& method, const std::string& name,
                         const std::string& category, std::uint64_t latency_ms, int n,
                         int failures = 0) {
  stats::EndpointStats r;
  r.key = {method, name};
  r.total.category = category;
  for (int i = 0; i < n; ++i) r.total.record(latency_ms * 1000, 10, i < failures);
  return r;
}

stats::Snapshot snapshot(std::vector<stats::EndpointStats> rows) {
  stats::Snapshot s;
  s.elapsed_s = 10;
  s.aggregated.key = {"", "Aggregated"};
  for (auto& r : rows) s.aggregated.total.merge(r.total);
  s.endpoints = std::move(rows);
  return s;
}

Budgets budgets(std::initializer_list<const char*> rules) {
  Budgets b;
  for (const char* r : rules) b.add(parse_rule(r, "test"));
  return b;
}

TEST(Judge, EachEndpointGetsItsCategorysBudgets) {
  auto snap = snapshot({row("GET", "/fast", "read", 100, 50), row("GET", "/slow", "read", 700, 50),
                        row("POST", "/w", "write", 700, 50)});
  Verdict v = judge(snap, budgets({"read:p95<500ms", "write:p95<2s"}));
  ASSERT_EQ(v.checks.size(), 3u);
  EXPECT_TRUE(v.checks[0].pass);
  EXPECT_EQ(v.checks[1].subject, "GET /slow");
  EXPECT_FALSE(v.checks[1].pass);
  EXPECT_NEAR(v.checks[1].actual, 700, 1);
  EXPECT_EQ(v.checks[1].margin, "+200 ms (+40%)");
  EXPECT_TRUE(v.checks[2].pass);  // 700 ms is within the write budget
  EXPECT_FALSE(v.pass());
  EXPECT_EQ(v.exit_code(), kExitBudget);
}

TEST(Judge, EndpointRuleReplacesTheCategoryRuleForTheSameMetric) {
  auto snap = snapshot({row("GET", "/shows/", "read", 700, 20)});
  Verdict v = judge(snap, budgets({"read:p95<500ms", "read:p99<1s", "GET /shows/:p95<800ms"}));
  ASSERT_EQ(v.checks.size(), 2u);  // the endpoint's p95 and the category's p99
  EXPECT_EQ(v.checks[0].threshold.limit, 800);
  EXPECT_TRUE(v.pass());
}

TEST(Judge, ErrorRateHasItsOwnExitStatusAndBudgetBreachComesFirst) {
  auto snap = snapshot({row("GET", "/a", "read", 10, 100, 5)});
  Verdict v = judge(snap, budgets({"error_rate<1%"}));
  ASSERT_EQ(v.checks.size(), 1u);
  EXPECT_EQ(v.checks[0].subject, "run");
  EXPECT_NEAR(v.checks[0].actual, 0.05, 1e-9);
  EXPECT_EQ(v.exit_code(), kExitErrorRate);
  Verdict both = judge(snap, budgets({"error_rate<1%", "read:p95<1ms"}));
  EXPECT_EQ(both.exit_code(), kExitBudget);
}

TEST(Judge, ThroughputFloorUsesTheRunsDuration) {
  auto snap = snapshot({row("GET", "/a", "read", 10, 500)});  // 500 requests in 10 s
  EXPECT_TRUE(judge(snap, budgets({"rps>=50"})).pass());
  Verdict v = judge(snap, budgets({"rps>=51"}));
  EXPECT_FALSE(v.pass());
  EXPECT_EQ(v.checks[0].describe_actual(), "50.0/s");
}

TEST(Judge, MissingEndpointFailsAndUnusedCategoryIsANote) {
  auto snap = snapshot({row("GET", "/a", "read", 10, 5)});
  Verdict v = judge(snap, budgets({"GET /typo:p95<1s", "slow:p95<5s"}));
  ASSERT_EQ(v.checks.size(), 1u);
  EXPECT_FALSE(v.checks[0].has_data);
  EXPECT_FALSE(v.checks[0].pass);
  EXPECT_EQ(v.checks[0].describe_actual(), "no requests");
  ASSERT_EQ(v.notes.size(), 1u);
  EXPECT_NE(v.notes[0].find("'slow'"), std::string::npos);
}

TEST(Judge, OtherCriteriaJoinTheVerdict) {
  auto snap = snapshot({row("GET", "/a", "read", 10, 5)});
  Verdict v = judge(snap, budgets({"read:p95<1s"}));
  v.criteria.push_back({"memory", "growing 3 MiB/min", false, kExitMemory});
  v.criteria.push_back({"recovery", "not within 60 s", false, kExitRecovery});
  EXPECT_EQ(v.exit_code(), kExitMemory);
}

// GET /open (scheduled): 2 ms of service time, but a request that started 148 ms late: its
// corrected p95 is 150 ms (test_support::scheduled_snapshot).
TEST(Judge, AScheduledEndpointIsJudgedOnCorrectedTimesByDefault) {
  const stats::Snapshot snap = test_support::scheduled_snapshot();
  Verdict v = judge(snap, budgets({"GET /open:p95<10ms", "GET /open:p95_service<10ms",
                                   "GET /closed:p95<10ms", "p99<10ms", "p99_service<10ms"}));
  ASSERT_EQ(v.checks.size(), 5u);
  const Check& corrected = v.checks[1];  // rows in Locust's order: /closed first
  EXPECT_EQ(corrected.subject, "GET /open");
  EXPECT_EQ(corrected.threshold.metric_name(), "p95");
  EXPECT_TRUE(corrected.corrected);
  EXPECT_FALSE(corrected.pass);  // passes on service time, fails corrected
  EXPECT_DOUBLE_EQ(corrected.actual, 150);
  EXPECT_EQ(corrected.describe_actual(), "150 ms (corrected)");
  const Check& service = v.checks[2];
  EXPECT_EQ(service.threshold.metric_name(), "p95_service");
  EXPECT_FALSE(service.corrected);
  EXPECT_TRUE(service.pass);
  EXPECT_DOUBLE_EQ(service.actual, 2);
  EXPECT_EQ(service.describe_actual(), "2 ms");
  const Check& closed = v.checks[0];  // nothing scheduled: service times, not "corrected"
  EXPECT_EQ(closed.subject, "GET /closed");
  EXPECT_FALSE(closed.corrected);
  EXPECT_TRUE(closed.pass);
  // The run: every endpoint's corrected times.
  EXPECT_EQ(v.checks[3].subject, "run");
  EXPECT_TRUE(v.checks[3].corrected);
  EXPECT_FALSE(v.checks[3].pass);
  EXPECT_TRUE(v.checks[4].pass);
  EXPECT_EQ(v.exit_code(), kExitBudget);

  const std::string table = report::verdict_table(v);
  EXPECT_NE(table.find("150 ms (corrected)"), std::string::npos) << table;
  EXPECT_NE(table.find(report::kCorrectedNote), std::string::npos) << table;
  const std::string xml = report::junit_xml(v, 10);
  EXPECT_NE(xml.find("p95 is 150 ms (corrected), budget p95 &lt; 10 ms"), std::string::npos) << xml;
}

TEST(Judge, AverageAndMaxAreCorrectedToo) {
  const stats::Snapshot snap = test_support::scheduled_snapshot();
  Verdict v = judge(snap, budgets({"GET /open:avg<10ms", "GET /open:max<100ms",
                                   "GET /open:avg_service<10ms", "GET /open:max_service<100ms"}));
  ASSERT_EQ(v.checks.size(), 4u);
  EXPECT_NEAR(v.checks[0].actual, (2 + 2 + 2 + 100 + 150 + 50) / 6.0, 1e-9);
  EXPECT_FALSE(v.checks[0].pass);
  EXPECT_DOUBLE_EQ(v.checks[1].actual, 150);
  EXPECT_FALSE(v.checks[1].pass);
  EXPECT_DOUBLE_EQ(v.checks[2].actual, 2);
  EXPECT_DOUBLE_EQ(v.checks[3].actual, 2);
  EXPECT_TRUE(v.checks[2].pass && v.checks[3].pass);
}

TEST(Judge, DroppedIterationsAndLateStarts) {
  const stats::Snapshot snap = test_support::scheduled_snapshot();  // 2 of 10 due dropped
  Verdict v = judge(snap, budgets({"dropped<1%", "late<5%", "GET /closed:late<5%"}));
  ASSERT_EQ(v.checks.size(), 3u);
  const Check& late_open = v.checks[0];  // the endpoint rule, then the run's rules
  EXPECT_EQ(late_open.subject, "GET /closed");
  EXPECT_TRUE(late_open.pass);
  EXPECT_EQ(late_open.describe_actual(), "0% (nothing scheduled)");
  const Check& dropped = v.checks[1];
  EXPECT_EQ(dropped.subject, "run");
  EXPECT_DOUBLE_EQ(dropped.actual, 0.2);
  EXPECT_FALSE(dropped.pass);
  EXPECT_EQ(dropped.describe_actual(), "20%");
  EXPECT_EQ(dropped.margin, "+19 points (+1900%)");
  const Check& late = v.checks[2];
  EXPECT_DOUBLE_EQ(late.actual, 0.5);  // 3 late of 6 scheduled samples
  EXPECT_FALSE(late.pass);
  EXPECT_EQ(v.exit_code(), kExitBudget);
  EXPECT_TRUE(judge(snap, budgets({"dropped<=20%", "late<=50%"})).pass());
}

TEST(Judge, NothingScheduledDropsNothing) {
  const stats::Snapshot closed = test_support::two_endpoints_snapshot();
  Verdict v = judge(closed, budgets({"dropped<1%", "late<1%"}));
  ASSERT_EQ(v.checks.size(), 2u);
  for (const Check& c : v.checks) {
    EXPECT_TRUE(c.pass);
    EXPECT_EQ(c.describe_actual(), "0% (nothing scheduled)");
  }
  // A run that dropped every iteration sent nothing, and fails.
  stats::Snapshot starved;
  starved.dropped_iterations = 5;
  Verdict none = judge(starved, budgets({"dropped<1%"}));
  ASSERT_EQ(none.checks.size(), 1u);
  EXPECT_TRUE(none.checks[0].has_data);
  EXPECT_DOUBLE_EQ(none.checks[0].actual, 1.0);
  EXPECT_FALSE(none.pass());
}

TEST(VerdictReports, TableAndJunitCarryTheNumbers) {
  auto snap = snapshot({row("GET", "/slow & <odd>", "read", 700, 20)});
  Verdict v = judge(snap, budgets({"read:p95<500ms"}));
  std::string table = report::verdict_table(v);
  EXPECT_NE(table.find("GET /slow & <odd>"), std::string::npos) << table;
  EXPECT_NE(table.find("FAIL"), std::string::npos) << table;
  EXPECT_NE(table.find("exit status 3"), std::string::npos) << table;
  std::string xml = report::junit_xml(v, 12.5);
  EXPECT_NE(xml.find("tests=\"1\" failures=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("GET /slow &amp; &lt;odd&gt; p95 &lt; 500 ms"), std::string::npos) << xml;
  EXPECT_NE(xml.find("p95 is 700 ms, budget p95 &lt; 500 ms"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<odd>"), std::string::npos);  // nothing unescaped
}

}  // namespace
}  // namespace arrload::budget
