#include "budget/verdict.h"

#include <gtest/gtest.h>

#include "report/verdict.h"

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
