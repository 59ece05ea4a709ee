#include "monitor/leak.h"

#include <cmath>
#include <functional>
#include <random>

#include <gtest/gtest.h>

namespace arrload::monitor {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

// N samples one second apart; RSS in MiB from SHAPE(t), plus uniform noise of +-NOISE_MIB drawn
// from a fixed seed.
std::vector<MemorySample> series(int n, const std::function<double(double)>& shape,
                                 double noise_mib = 1.0, unsigned seed = 7) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> noise(-noise_mib, noise_mib);
  std::vector<MemorySample> out;
  for (int i = 0; i < n; ++i) {
    MemorySample s;
    s.t_seconds = i;
    s.ok = true;
    s.rss_bytes = static_cast<std::uint64_t>((shape(i) + noise(rng)) * kMiB);
    out.push_back(s);
  }
  return out;
}

LeakVerdict judge(const std::vector<MemorySample>& samples, double ramp_up_end = 0) {
  return judge_memory(samples, ramp_up_end, LeakThresholds{});
}

TEST(TheilSenTest, SlopeOfALineIgnoresOutliers) {
  std::vector<double> x, y;
  for (int i = 0; i < 50; ++i) {
    x.push_back(i);
    y.push_back(3.0 * i + 10);
  }
  EXPECT_DOUBLE_EQ(theil_sen_slope(x, y), 3.0);
  y[10] = 1e6;  // a few wild readings do not move the median slope much
  y[30] = -1e6;
  y[31] = 0;
  EXPECT_NEAR(theil_sen_slope(x, y), 3.0, 0.1);
  EXPECT_EQ(theil_sen_slope({1}, {1}), 0);
  EXPECT_EQ(theil_sen_slope({1, 1, 1}, {1, 2, 3}), 0);  // no spread in x
}

TEST(TheilSenTest, LongSeriesAreBucketed) {
  std::vector<double> x, y;
  for (int i = 0; i < 20'000; ++i) {
    x.push_back(i);
    y.push_back(-0.5 * i + (i % 7));
  }
  EXPECT_NEAR(theil_sen_slope(x, y), -0.5, 0.01);
}

TEST(LeakTest, FlatWithNoiseIsStable) {
  auto samples = series(
      180, [](double) { return 80.0; }, 3.0);
  samples[40].rss_bytes += 60 << 20;  // two spikes (a burst of allocations that is freed)
  samples[150].rss_bytes += 60 << 20;
  LeakVerdict v = judge(samples);
  EXPECT_EQ(v.state, LeakVerdict::kStable) << v.explanation;
  EXPECT_LT(std::abs(v.growth_mib_per_minute), 0.5);
  EXPECT_EQ(v.samples_used, 180);
  EXPECT_NEAR(v.start_bytes / kMiB, 80, 2);
  EXPECT_NEAR(v.peak_bytes / kMiB, 140, 4);
  EXPECT_EQ(v.explanation.rfind("stable: trend", 0), 0u) << v.explanation;
}

TEST(LeakTest, LinearGrowthIsGrowing) {
  auto samples = series(181, [](double t) { return 80.0 + 2.0 * t / 60; });  // 2 MiB/min, 3 min
  LeakVerdict v = judge(samples);
  EXPECT_EQ(v.state, LeakVerdict::kGrowing) << v.explanation;
  EXPECT_NEAR(v.growth_mib_per_minute, 2.0, 0.2);
  EXPECT_NEAR(v.late_growth_mib_per_minute, 2.0, 0.5);
  EXPECT_NEAR(v.window_seconds, 180, 1e-9);
  EXPECT_GT(v.end_bytes, v.start_bytes + (5u << 20));
  EXPECT_EQ(v.explanation.rfind("growing: sustained growth", 0), 0u) << v.explanation;
}

TEST(LeakTest, StepThenFlatIsStable) {
  auto samples = series(180, [](double t) { return t < 60 ? 80.0 : 130.0; });
  LeakVerdict v = judge(samples);
  EXPECT_EQ(v.state, LeakVerdict::kStable) << v.explanation;
  EXPECT_GT(v.end_bytes, v.start_bytes + (45u << 20));  // the step shows in the figures
}

// A step in the middle tips the whole-window median slope up; one later on also tips the last
// third's. The medians of the thirds show one rise only.
TEST(LeakTest, StepAnywhereIsStable) {
  for (unsigned seed : {1u, 2u, 3u}) {
    for (int at = 5; at < 180; at += 5) {
      auto samples = series(
          180, [at](double t) { return t < at ? 80.0 : 100.0; }, 3.0, seed);
      LeakVerdict v = judge(samples);
      EXPECT_EQ(v.state, LeakVerdict::kStable) << at << ": " << v.explanation;
    }
  }
}

// Growth that starts late in the window (here at 60%) cannot be told from a step followed by a
// few noisy readings; a longer window decides. The explanation says why.
TEST(LeakTest, GrowthOnlyInTheLastPartIsNotSpread) {
  auto samples = series(180, [](double t) { return 80.0 + 6.0 * std::max(0.0, t - 110) / 60; });
  LeakVerdict v = judge(samples);
  EXPECT_EQ(v.state, LeakVerdict::kStable) << v.explanation;
  EXPECT_GT(v.growth_mib_per_minute, 1);
  EXPECT_GT(v.late_growth_mib_per_minute, 1);
  EXPECT_LT(v.third_rates[0], 1);
  EXPECT_EQ(v.explanation.rfind("stable: growth not spread over the window", 0), 0u)
      << v.explanation;
}

// Growth that goes on but faster later (a leak per request, with the load still rising) is
// growth: the smaller rise between thirds is over a quarter of the larger.
TEST(LeakTest, AcceleratingGrowthIsGrowing) {
  auto samples = series(180, [](double t) { return 80.0 + 6.0 * (t / 60) * (t / 60); });
  LeakVerdict v = judge(samples);
  EXPECT_EQ(v.state, LeakVerdict::kGrowing) << v.explanation;
}

// A step in the last part (whole-window trend flat) is not sustained growth: one jump cannot be
// told from the start of a leak, and a verdict must not fail a run on it. The figures show it.
TEST(LeakTest, StepAtTheVeryEndIsStable) {
  auto samples = series(180, [](double t) { return t < 170 ? 80.0 : 130.0; });
  LeakVerdict v = judge(samples);
  EXPECT_EQ(v.state, LeakVerdict::kStable) << v.explanation;
  EXPECT_NEAR(v.end_bytes / kMiB, 130, 2);
}

TEST(LeakTest, SlowGrowthIsStable) {
  auto samples = series(180, [](double t) { return 80.0 + 0.5 * t / 60; });
  LeakVerdict v = judge(samples);
  EXPECT_EQ(v.state, LeakVerdict::kStable) << v.explanation;
  EXPECT_NEAR(v.growth_mib_per_minute, 0.5, 0.2);
}

TEST(LeakTest, GrowthUnderTheFractionOfAHugeStartIsStable) {
  // 10 MiB/min for 3 min is 30 MiB: over the rate, but under 5% of 4 GiB (205 MiB).
  auto samples = series(181, [](double t) { return 4096.0 + 10.0 * t / 60; });
  LeakVerdict v = judge(samples);
  EXPECT_EQ(v.state, LeakVerdict::kStable) << v.explanation;
  EXPECT_NEAR(v.growth_mib_per_minute, 10, 0.5);
  EXPECT_NE(v.explanation.find("5% of the start RSS"), std::string::npos) << v.explanation;
}

TEST(LeakTest, GrowthThatLevelsOffIsStable) {
  // 20 MiB/min for the first 100 s, then flat: a cache filling up, not a leak.
  auto samples = series(180, [](double t) { return 80.0 + 20.0 * std::min(t, 100.0) / 60; });
  LeakVerdict v = judge(samples);
  EXPECT_EQ(v.state, LeakVerdict::kStable) << v.explanation;
  EXPECT_GT(v.growth_mib_per_minute, 1);
  EXPECT_NE(v.explanation.find("did not last"), std::string::npos) << v.explanation;
}

TEST(LeakTest, RampUpGrowthIsExcluded) {
  // Memory grows while users are spawned (connections, buffers), then holds.
  auto samples = series(200, [](double t) { return 40.0 + 30.0 * std::min(t, 30.0) / 30; });
  EXPECT_EQ(judge(samples, 0).state, LeakVerdict::kStable);  // levels off anyway
  LeakVerdict v = judge(samples, 30);
  EXPECT_EQ(v.state, LeakVerdict::kStable) << v.explanation;
  EXPECT_EQ(v.samples_used, 170);
  EXPECT_NEAR(v.start_bytes / kMiB, 70, 2);
}

TEST(LeakTest, FailedReadingsAreIgnored) {
  auto samples = series(181, [](double t) { return 80.0 + 2.0 * t / 60; });
  for (std::size_t i = 0; i < samples.size(); i += 3) {
    samples[i].ok = false;  // a third of the readings failed
    samples[i].rss_bytes = 0;
  }
  LeakVerdict v = judge(samples);
  EXPECT_EQ(v.state, LeakVerdict::kGrowing) << v.explanation;
  EXPECT_EQ(v.samples_used, 120);
}

TEST(LeakTest, TooFewSamplesIsNotEnoughData) {
  auto samples = series(9, [](double t) { return 80.0 + 100 * t; });
  LeakVerdict v = judge(samples);
  EXPECT_EQ(v.state, LeakVerdict::kNotEnoughData);
  EXPECT_EQ(v.explanation, "not enough data: 9 usable memory samples after ramp-up (10 needed)");
  EXPECT_EQ(judge({}).state, LeakVerdict::kNotEnoughData);
  // Enough samples in all, but only 5 after a ramp-up ending at 15 s.
  EXPECT_EQ(judge(series(20, [](double) { return 80.0; }), 15).state, LeakVerdict::kNotEnoughData);
  // 12 samples, but the last two thirds hold only one (they bunch at the start).
  std::vector<MemorySample> bunched = series(12, [](double) { return 80.0; });
  bunched.back().t_seconds = 100;
  EXPECT_EQ(judge(bunched).state, LeakVerdict::kNotEnoughData);
}

TEST(LeakTest, AnHourAtOneHertzIsJudgedQuickly) {
  auto samples = series(
      3600, [](double t) { return 80.0 + 1.5 * t / 60; }, 2.0);
  LeakVerdict v = judge(samples);
  EXPECT_EQ(v.state, LeakVerdict::kGrowing) << v.explanation;
  EXPECT_NEAR(v.growth_mib_per_minute, 1.5, 0.05);
}

TEST(LeakTest, StateNames) {
  EXPECT_STREQ(to_string(LeakVerdict::kStable), "stable");
  EXPECT_STREQ(to_string(LeakVerdict::kGrowing), "growing");
  EXPECT_STREQ(to_string(LeakVerdict::kNotEnoughData), "not enough data");
}

}  // namespace
}  // namespace arrload::monitor
