#include "compare/rule.h"

#include <gtest/gtest.h>

namespace arrload::compare {
namespace {

TEST(RegressionRule, ParsesEveryForm) {
  Rule r = parse_rule("p95:+10%");
  EXPECT_EQ(r.scope, "");
  EXPECT_EQ(r.figure.metric, Metric::kPercentile);
  EXPECT_DOUBLE_EQ(r.figure.quantile, 0.95);
  EXPECT_FALSE(r.figure.service);
  EXPECT_EQ(r.unit, Unit::kPercent);
  EXPECT_DOUBLE_EQ(r.allowed, 10);
  EXPECT_EQ(r.describe_allowed(), "+10%");

  r = parse_rule("read:p99:+50ms");
  EXPECT_EQ(r.scope, "read");
  EXPECT_EQ(r.unit, Unit::kMs);
  EXPECT_DOUBLE_EQ(r.allowed, 50);
  EXPECT_EQ(r.figure.name(), "p99");

  r = parse_rule("GET /api/v1/shows/:p(99.9)_service:+0.5s");
  EXPECT_EQ(r.scope, "GET /api/v1/shows/");
  EXPECT_NEAR(r.figure.quantile, 0.999, 1e-12);
  EXPECT_TRUE(r.figure.service);
  EXPECT_DOUBLE_EQ(r.allowed, 500);
  EXPECT_EQ(r.figure.name(), "p99.9_service");

  r = parse_rule(" error_rate : +0.5pp ");
  EXPECT_EQ(r.figure.metric, Metric::kErrorRate);
  EXPECT_EQ(r.unit, Unit::kPoints);
  EXPECT_DOUBLE_EQ(r.allowed, 0.5);

  r = parse_rule("run:rps:-10%");
  EXPECT_EQ(r.scope, "run");
  EXPECT_EQ(r.figure.metric, Metric::kRps);
  EXPECT_FALSE(r.figure.up_is_worse());
  EXPECT_EQ(r.describe_allowed(), "-10%");

  r = parse_rule("rps:-20/s");
  EXPECT_EQ(r.unit, Unit::kPerSecond);
  EXPECT_DOUBLE_EQ(r.allowed, 20);

  EXPECT_DOUBLE_EQ(parse_rule("median:+1ms").figure.quantile, 0.5);
  EXPECT_DOUBLE_EQ(parse_rule("max:+1ms").figure.quantile, 1.0);
  EXPECT_EQ(parse_rule("avg_service:+800us").figure.name(), "avg_service");
  EXPECT_DOUBLE_EQ(parse_rule("avg_service:+800us").allowed, 0.8);
  EXPECT_EQ(parse_rule("error_rate:+50%").unit, Unit::kPercent);
}

// Each bad expression: its message names the expression and what is wrong.
TEST(RegressionRule, BadExpressionsSayWhatIsWrong) {
  const std::pair<const char*, const char*> cases[] = {
      {"p95+10%", "no ':'"},
      {"p95:", "must start with '+'"},
      {"latency:+10%", "unknown metric 'latency'"},
      {"p0:+10%", "not a percentile"},
      {"p101:+10%", "not a percentile"},
      {"p95:-10%", "p95 regresses upwards: write '+10%'"},
      {"rps:+10%", "rps regresses downwards: write '-10%'"},
      {"p95:+10", "neither a percentage nor a duration"},
      {"p95:+fast", "neither a percentage nor a duration"},
      {"p95:+0.5pp", "pp (percentage points) is for error_rate"},
      {"error_rate:+5ms", "needs a unit: % or pp"},
      {"error_rate:+0.5", "needs a unit"},
      {"rps:-5ms", "needs a unit: % or /s"},
      {"p95:+5/s", "/s is for rps"},
      {"rps_service:-10%", "'rps' is not a response time"},
      {"p95:+-5%", "not a non-negative number"},
      {":p95:+5%", "empty scope"},
  };
  for (const auto& [text, expected] : cases) {
    try {
      parse_rule(text);
      ADD_FAILURE() << text << " was accepted";
    } catch (const RuleError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(std::string("'") + text + "'"), std::string::npos) << what;
      EXPECT_NE(what.find(expected), std::string::npos) << text << ": " << what;
    }
  }
}

}  // namespace
}  // namespace arrload::compare
