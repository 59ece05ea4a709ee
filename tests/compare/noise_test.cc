#include "compare/noise.h"

#include <cmath>

#include <gtest/gtest.h>

namespace arrload::compare {
namespace {

// Uniform on [LO, HI] ms with N samples.
Distribution uniform(double lo, double hi, std::uint64_t n) {
  Distribution d;
  d.samples = n;
  d.avg_ms = (lo + hi) / 2;
  d.points = {{0.0, lo}, {0.5, (lo + hi) / 2}, {1.0, hi}};
  return d;
}

TEST(Noise, InterpolatesBetweenTheKnownQuantiles) {
  const Distribution d = uniform(0, 100, 10);
  EXPECT_DOUBLE_EQ(d.at(0.25), 25);
  EXPECT_DOUBLE_EQ(d.at(0.95), 95);
  EXPECT_DOUBLE_EQ(d.at(0), 0);
  EXPECT_DOUBLE_EQ(d.at(1), 100);
  // A uniform distribution's standard deviation: (hi - lo) / sqrt(12).
  EXPECT_NEAR(d.stddev(), 100 / std::sqrt(12.0), 1e-9);
}

// The order-statistics interval: q ± z·sqrt(q(1−q)/n), mapped through the quantiles.
TEST(Noise, QuantileIntervalFromTheSampleCount) {
  const Interval i = quantile_interval(uniform(0, 100, 100), 0.5);
  EXPECT_NEAR(i.lo, 50 - 100 * 1.96 * 0.05, 1e-9);
  EXPECT_NEAR(i.hi, 50 + 100 * 1.96 * 0.05, 1e-9);
  // A hundred times the samples: a tenth of the width.
  const Interval j = quantile_interval(uniform(0, 100, 10'000), 0.5);
  EXPECT_NEAR(j.hi - j.lo, (i.hi - i.lo) / 10, 1e-9);
  // At the maximum, one rank at least.
  const Interval m = quantile_interval(uniform(0, 100, 100), 1.0);
  EXPECT_NEAR(m.lo, 99, 1e-9);
  EXPECT_DOUBLE_EQ(m.hi, 100);
}

TEST(Noise, QuantilesDifferOnlyBeyondTheirIntervals) {
  // p95 of 100 samples: 95 ± 4.3; shifted by 5 the intervals overlap, by 10 they do not.
  EXPECT_FALSE(quantiles_differ(uniform(0, 100, 100), uniform(5, 105, 100), 0.95));
  EXPECT_TRUE(quantiles_differ(uniform(0, 100, 100), uniform(10, 110, 100), 0.95));
  // With ten thousand samples a shift of 1 is real.
  EXPECT_TRUE(quantiles_differ(uniform(0, 100, 10'000), uniform(1, 101, 10'000), 0.95));
  EXPECT_FALSE(quantiles_differ(uniform(0, 100, 0), uniform(50, 150, 100), 0.95));
}

TEST(Noise, MeansRatesAndThroughput) {
  // Two uniform [0, 100] of 100: z·sqrt(2·σ²/100), σ² = 10000/12.
  EXPECT_NEAR(mean_noise(uniform(0, 100, 100), uniform(0, 100, 100)),
              1.96 * std::sqrt(2 * 10000.0 / 12 / 100), 1e-9);
  // 10 of 1000 and 20 of 1000 failed: pooled 1.5%.
  EXPECT_NEAR(rate_noise(10, 1000, 20, 1000), 1.96 * std::sqrt(0.015 * 0.985 * 0.002), 1e-12);
  EXPECT_EQ(rate_noise(0, 1000, 0, 1000), 0);
  EXPECT_EQ(rate_noise(1, 0, 0, 1000), 0);
  // 1000 requests in 10 s twice: z·sqrt(1000/100 + 1000/100).
  EXPECT_NEAR(throughput_noise(1000, 10, 1000, 10), 1.96 * std::sqrt(20.0), 1e-9);
  EXPECT_EQ(throughput_noise(1000, 0, 1000, 10), 0);
}

}  // namespace
}  // namespace arrload::compare
