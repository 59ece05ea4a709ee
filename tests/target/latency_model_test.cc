#include "target/latency_model.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace arrload::target {
namespace {

TEST(QuantileCurve, InterpolatesBetweenPoints) {
  QuantileCurve c{{0.0, 0}, {0.5, 100}, {1.0, 300}};
  EXPECT_DOUBLE_EQ(c.at(0), 0);
  EXPECT_DOUBLE_EQ(c.at(0.25), 50);
  EXPECT_DOUBLE_EQ(c.at(0.75), 200);
  EXPECT_DOUBLE_EQ(c.at(2), 300);
}

TEST(ChatLatency, HasTheDocumentedQuantiles) {
  constexpr int kDraws = 20000;
  int under_p50 = 0, under_p95 = 0, under_p99 = 0;
  double lowest = 1e9, highest = 0;
  for (int i = 0; i < kDraws; ++i) {
    const double ms = chat_latency().draw();
    under_p50 += ms <= 1500;
    under_p95 += ms <= 3000;
    under_p99 += ms <= 5000;
    lowest = std::min(lowest, ms);
    highest = std::max(highest, ms);
  }
  // Tolerances are 5 to 6 standard errors of a fraction over 20,000 draws.
  EXPECT_NEAR(under_p50 / double(kDraws), 0.50, 0.02);
  EXPECT_NEAR(under_p95 / double(kDraws), 0.95, 0.008);
  EXPECT_NEAR(under_p99 / double(kDraws), 0.99, 0.004);
  EXPECT_GE(lowest, 500);
  EXPECT_LE(highest, 9000);
}

TEST(AuditLatency, TakesSecondsPerService) {
  for (int i = 0; i < 100; ++i) {
    const double four = audit_latency_ms(4, false);
    EXPECT_GE(four, 10000);
    EXPECT_LE(four, 15600);
    EXPECT_GE(audit_latency_ms(1, true), 4400 + 4000);
  }
}

}  // namespace
}  // namespace arrload::target
