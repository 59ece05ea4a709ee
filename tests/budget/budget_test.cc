#include "budget/budget.h"

#include <gtest/gtest.h>

namespace arrload::budget {
namespace {

TEST(Threshold, ParsesMetricsOperatorsAndUnits) {
  Threshold t = parse_threshold("p95<500ms");
  EXPECT_EQ(t.metric, Metric::kPercentile);
  EXPECT_EQ(t.percentile, 95);
  EXPECT_EQ(t.op, Op::kLess);
  EXPECT_EQ(t.limit, 500);
  EXPECT_EQ(parse_threshold("p99 <= 1s").limit, 1000);
  EXPECT_EQ(parse_threshold("p99 <= 1s").op, Op::kLessEqual);
  EXPECT_EQ(parse_threshold("p99.9<250").percentile, 99.9);
  EXPECT_EQ(parse_threshold("p99.9<250").limit, 250);      // a bare time is milliseconds
  EXPECT_EQ(parse_threshold("p(95)<200").percentile, 95);  // k6's spelling
  EXPECT_EQ(parse_threshold("median<20ms").percentile, 50);
  EXPECT_EQ(parse_threshold("avg<1.5s").metric, Metric::kAverage);
  EXPECT_EQ(parse_threshold("avg<1.5s").limit, 1500);
  EXPECT_EQ(parse_threshold("max<800us").limit, 0.8);
  EXPECT_DOUBLE_EQ(parse_threshold("error_rate<0.5%").limit, 0.005);
  EXPECT_DOUBLE_EQ(parse_threshold("error_rate<0.01").limit, 0.01);
  Threshold rps = parse_threshold("rps>=100");
  EXPECT_EQ(rps.metric, Metric::kRps);
  EXPECT_EQ(rps.op, Op::kGreaterEqual);
  EXPECT_EQ(rps.limit, 100);
  EXPECT_EQ(parse_threshold("rps > 20/s").op, Op::kGreater);
}

TEST(Threshold, HoldsAndDescribes) {
  EXPECT_TRUE(parse_threshold("p95<500ms").holds(499.9));
  EXPECT_FALSE(parse_threshold("p95<500ms").holds(500));
  EXPECT_TRUE(parse_threshold("p95<=500ms").holds(500));
  EXPECT_TRUE(parse_threshold("rps>=100").holds(100));
  EXPECT_FALSE(parse_threshold("rps>100").holds(100));
  EXPECT_EQ(parse_threshold("p95<500ms").describe(), "p95 < 500 ms");
  EXPECT_EQ(parse_threshold("p99<1000").describe(), "p99 < 1 s");
  EXPECT_EQ(parse_threshold("error_rate<1%").describe(), "error_rate < 1%");
  EXPECT_EQ(parse_threshold("rps>=100").describe(), "rps >= 100/s");
}

TEST(Threshold, BadExpressionsSayWhatIsWrong) {
  struct Bad {
    const char* text;
    const char* message;
  };
  for (const Bad& b :
       {Bad{"p95 500ms", "no comparison"}, Bad{"p95<", "not a non-negative"},
        Bad{"p95<fast", "'fast' is not a non-negative number"}, Bad{"p0<5", "not a percentile"},
        Bad{"p101<5", "not a percentile"}, Bad{"latency<5", "unknown metric 'latency'"},
        Bad{"error_rate<150%", "at most 100%"}, Bad{"p95<-3ms", "non-negative"}}) {
    try {
      parse_threshold(b.text);
      ADD_FAILURE() << "no error for " << b.text;
    } catch (const BudgetError& e) {
      EXPECT_NE(std::string(e.what()).find(b.message), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(b.text), std::string::npos) << e.what();
    }
  }
}

TEST(Threshold, EveryMakesItAWindowedBudget) {
  Threshold t = parse_threshold("p95<500ms every 30s");
  EXPECT_EQ(t.window_s, 30);
  EXPECT_EQ(t.limit, 500);
  EXPECT_EQ(t.describe(), "p95 < 500 ms in every 30 s window");
  EXPECT_EQ(parse_threshold("rps >= 100 every 1m").describe(),
            "rps >= 100/s in every 1 min window");
  EXPECT_EQ(parse_threshold("p95<500ms").window_s, 0);
  // A window is its own quantity: it neither replaces nor is replaced by the whole-run budget.
  EXPECT_FALSE(t.same_quantity(parse_threshold("p95<1s")));
  EXPECT_TRUE(t.same_measure(parse_threshold("p95<1s")));
  EXPECT_TRUE(t.same_quantity(parse_threshold("p95<1s every 30s")));
  Rule ep = parse_rule("GET /api/v1/shows/:p99<800ms every 10s", "");
  EXPECT_EQ(ep.scope.name, "/api/v1/shows/");
  EXPECT_EQ(ep.threshold.window_s, 10);

  for (const char* bad :
       {"p95<500ms every", "p95<500ms every 0s", "p95<500ms every 1.5s", "p95<500ms every soon"}) {
    try {
      parse_threshold(bad);
      ADD_FAILURE() << "no error for " << bad;
    } catch (const BudgetError& e) {
      EXPECT_NE(std::string(e.what()).find("window"), std::string::npos) << e.what();
    }
  }
}

TEST(Threshold, ServiceTimesLateStartsAndDroppedIterations) {
  Threshold corrected = parse_threshold("p95<500ms");
  EXPECT_EQ(corrected.times, Times::kCorrected);  // the default
  Threshold service = parse_threshold("p95_service<300ms");
  EXPECT_EQ(service.metric, Metric::kPercentile);
  EXPECT_EQ(service.percentile, 95);
  EXPECT_EQ(service.times, Times::kService);
  EXPECT_EQ(service.limit, 300);
  EXPECT_EQ(service.metric_name(), "p95_service");
  EXPECT_EQ(service.describe(), "p95_service < 300 ms");
  EXPECT_EQ(parse_threshold("avg_service<1s").describe(), "avg_service < 1 s");
  EXPECT_EQ(parse_threshold("median_service<5").metric_name(), "p50_service");
  EXPECT_EQ(parse_threshold("p(99)_service<5").metric_name(), "p99_service");
  // Two quantities: both apply, neither replaces the other.
  EXPECT_FALSE(corrected.same_quantity(parse_threshold("p95_service<500ms")));

  Threshold late = parse_threshold("late<5%");
  EXPECT_EQ(late.metric, Metric::kLateStarts);
  EXPECT_DOUBLE_EQ(late.limit, 0.05);
  EXPECT_EQ(late.describe(), "late < 5%");
  EXPECT_EQ(parse_threshold("late_starts<=0.1").metric, Metric::kLateStarts);
  Threshold dropped = parse_threshold("dropped<1%");
  EXPECT_EQ(dropped.metric, Metric::kDropped);
  EXPECT_DOUBLE_EQ(dropped.limit, 0.01);
  EXPECT_EQ(dropped.describe(), "dropped < 1%");
  EXPECT_EQ(parse_threshold("dropped_iterations<0.5% every 30s").describe(),
            "dropped < 0.5% in every 30 s window");

  for (const auto& [text, message] : std::initializer_list<std::pair<const char*, const char*>>{
           {"error_rate_service<1%", "only p.., median, avg and max take _service"},
           {"late<150%", "late is a share, at most 100%"},
           {"dropped<2", "at most 100%"}}) {
    try {
      parse_threshold(text);
      ADD_FAILURE() << "no error for " << text;
    } catch (const BudgetError& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  }
}

TEST(Rule, DroppedIterationsAreTheWholeRunsOnly) {
  EXPECT_EQ(parse_rule("dropped<1%", "").scope.kind, Scope::Kind::kRun);
  EXPECT_EQ(parse_rule("read:late<5%", "").scope.kind, Scope::Kind::kCategory);
  for (const char* scoped : {"read:dropped<1%", "GET /a:dropped<1%"}) {
    try {
      parse_rule(scoped, "");
      ADD_FAILURE() << "no error for " << scoped;
    } catch (const BudgetError& e) {
      EXPECT_NE(std::string(e.what()).find("whole run only"), std::string::npos) << e.what();
    }
  }
  try {
    load_budgets_text("run: [dropped<1%]\ncategories:\n  read: [dropped<1%]\n", "b.yaml");
    ADD_FAILURE() << "no error";
  } catch (const BudgetError& e) {
    EXPECT_NE(std::string(e.what()).find("b.yaml:3: categories.read: bad budget 'dropped<1%'"),
              std::string::npos)
        << e.what();
  }
}

TEST(Rule, ScopeIsRunCategoryOrEndpoint) {
  Rule run = parse_rule("error_rate<1%", "--budget");
  EXPECT_EQ(run.scope.kind, Scope::Kind::kRun);
  EXPECT_EQ(run.origin, "--budget");
  Rule cat = parse_rule("read:p95<300ms", "");
  EXPECT_EQ(cat.scope.kind, Scope::Kind::kCategory);
  EXPECT_EQ(cat.scope.category, "read");
  Rule ep = parse_rule("GET /api/v1/shows/:p99<800ms", "");
  EXPECT_EQ(ep.scope.kind, Scope::Kind::kEndpoint);
  EXPECT_EQ(ep.scope.method, "GET");
  EXPECT_EQ(ep.scope.name, "/api/v1/shows/");
  EXPECT_EQ(ep.threshold.limit, 800);
  Rule any = parse_rule("/health:max<1s", "");
  EXPECT_EQ(any.scope.kind, Scope::Kind::kEndpoint);
  EXPECT_EQ(any.scope.method, "");
  EXPECT_THROW(parse_rule(":p95<1", ""), BudgetError);
}

TEST(Budgets, LaterRuleForTheSameScopeAndQuantityReplaces) {
  Budgets b;
  b.add(parse_rule("read:p95<500ms", "file"));
  b.add(parse_rule("read:p99<1s", "file"));
  b.add(parse_rule("read:p95<300ms", "--budget"));
  ASSERT_EQ(b.rules.size(), 2u);
  EXPECT_EQ(b.rules[0].threshold.limit, 300);
  EXPECT_EQ(b.rules[0].origin, "--budget");
}

TEST(BudgetsFile, LoadsCategoriesEndpointsAndRun) {
  Budgets b = load_budgets_text(R"(categories:
  read: [p95<500ms, p99<1s]
  slow: p95<5s
endpoints:
  "GET /api/v1/shows/": [p99<800ms]
run: [error_rate<1%, rps>=10]
)",
                                "b.yaml");
  ASSERT_EQ(b.rules.size(), 6u);
  EXPECT_EQ(b.rules[0].scope.category, "read");
  EXPECT_EQ(b.rules[0].origin, "b.yaml:2");
  EXPECT_EQ(b.rules[2].scope.category, "slow");
  EXPECT_EQ(b.rules[3].scope.kind, Scope::Kind::kEndpoint);
  EXPECT_EQ(b.rules[3].scope.name, "/api/v1/shows/");
  EXPECT_EQ(b.rules[5].threshold.metric, Metric::kRps);
}

TEST(BudgetsFile, ErrorsNameFileLineAndField) {
  struct Bad {
    const char* yaml;
    const char* message;
  };
  for (const Bad& b :
       {Bad{"categories:\n  read: [p95<<5]\n", "b.yaml:2: categories.read: bad budget"},
        Bad{"categoris: {}\n", "b.yaml:1: unknown key 'categoris'"},
        Bad{"categories: [a]\n", "b.yaml:1: categories: expected a mapping"},
        Bad{"endpoints:\n  health: [p95<1]\n", "b.yaml:2: endpoints.health: an endpoint is"},
        Bad{"run: {a: 1}\n", "b.yaml:1: run: expected a list of budgets"},
        Bad{"run: [p95<1\n", "b.yaml:2: YAML syntax error"}}) {
    try {
      load_budgets_text(b.yaml, "b.yaml");
      ADD_FAILURE() << "no error for " << b.yaml;
    } catch (const BudgetError& e) {
      EXPECT_NE(std::string(e.what()).find(b.message), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(load_budgets_file("/nonexistent/budgets.yaml"), BudgetError);
}

// Found by fuzz/fuzz_budget.cc (input kept in fuzz/corpus/budget/): a key that is a list,
// mapping or null escaped as yaml-cpp's bad-conversion error, naming neither file nor field.
TEST(BudgetsFile, KeysThatAreNotNamesAreRefusedWithFileAndLine) {
  struct Bad {
    const char* yaml;
    const char* message;
  };
  for (const Bad& b :
       {Bad{"categories: {[da:ep r96<500ms, p99<1s]}\n", "b.yaml:1: categories: a key must be"},
        Bad{"run: [p95<1s]\n? [a, b]\n: [p95<1s]\n", "b.yaml:2: top level: a key must be"},
        Bad{"endpoints:\n  {a: b}: [p99<1s]\n", "b.yaml:2: endpoints: a key must be"},
        Bad{"categories:\n  ~: [p99<1s]\n", "b.yaml:2: categories: a key must be"}}) {
    try {
      load_budgets_text(b.yaml, "b.yaml");
      ADD_FAILURE() << "no error for " << b.yaml;
    } catch (const BudgetError& e) {
      EXPECT_NE(std::string(e.what()).find(b.message), std::string::npos) << e.what();
    }
  }
}

TEST(BudgetsFile, TheSuitesBudgetsAreTheSeedsTable) {
  Budgets b = load_budgets_file(ARRLOAD_SOURCE_DIR "/scenarios/autoarr/budgets.yaml");
  auto limit = [&](const std::string& category, double p) {
    for (const Rule& r : b.rules) {
      if (r.scope.category == category && r.threshold.percentile == p) return r.threshold.limit;
    }
    return -1.0;
  };
  EXPECT_EQ(limit("health", 95), 500);
  EXPECT_EQ(limit("health", 99), 1000);
  EXPECT_EQ(limit("read", 95), 500);
  EXPECT_EQ(limit("write", 95), 2000);
  EXPECT_EQ(limit("write", 99), 5000);
  EXPECT_EQ(limit("slow", 95), 5000);
  EXPECT_EQ(limit("slow", 99), 10000);
  EXPECT_EQ(limit("websocket", 95), 1000);
  EXPECT_EQ(limit("websocket", 99), 3000);
  bool error_rate = false;
  for (const Rule& r : b.rules) {
    error_rate |= r.scope.kind == Scope::Kind::kRun && r.threshold.metric == Metric::kErrorRate &&
                  r.threshold.limit == 0.01;
  }
  EXPECT_TRUE(error_rate);
}

}  // namespace
}  // namespace arrload::budget
