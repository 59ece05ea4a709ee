#include "engine/arrival_schedule.h"

#include <cmath>

#include <gtest/gtest.h>

namespace arrload::engine {
namespace {

using std::chrono::seconds;

scenario::Arrival constant(double rate) {
  scenario::Arrival a;
  a.rate = rate;
  return a;
}

scenario::Arrival ramp(double start, std::vector<std::pair<int, double>> stages) {
  scenario::Arrival a;
  a.start_rate = start;
  for (auto [s, r] : stages) a.stages.push_back({seconds(s), r, {}});
  return a;
}

// Iterations started in [0, T) seconds, counting every start of the schedule.
std::uint64_t started_before(const ArrivalSchedule& s, double t_s) {
  std::size_t cursor = 0;
  std::uint64_t n = 0;
  while (true) {
    auto t = s.start_us(n, cursor);
    if (!t || static_cast<double>(*t) >= t_s * 1e6) return n;
    ++n;
  }
}

TEST(ArrivalScheduleTest, ConstantRateStartsEveryOneOverRate) {
  ArrivalSchedule s(constant(200), 1.0);
  std::size_t cursor = 0;
  EXPECT_EQ(s.start_us(0, cursor), 0);
  EXPECT_EQ(s.start_us(1, cursor), 5'000);
  EXPECT_EQ(s.start_us(200, cursor), 1'000'000);
  EXPECT_EQ(s.start_us(2'000'000, cursor), 10'000'000'000);  // no drift after millions
  EXPECT_FALSE(s.total());
}

TEST(ArrivalScheduleTest, ScaleMultipliesTheRate) {
  ArrivalSchedule s(constant(100), 2.5);
  std::size_t cursor = 0;
  EXPECT_EQ(s.start_us(250, cursor), 1'000'000);
}

TEST(ArrivalScheduleTest, RampFollowsTheIntegralOfTheRate) {
  // 0 → 100/s over 10 s (500 iterations), then 100/s for 5 s (500 more), then down to 0 over
  // 10 s (500 more).
  ArrivalSchedule s(ramp(0, {{10, 100}, {5, 100}, {10, 0}}), 1.0);
  ASSERT_TRUE(s.total());
  EXPECT_NEAR(*s.total(), 1500, 1e-9);
  // In a ramp from 0 at slope 10/s², n(t) = 5t², so iteration n starts at sqrt(n / 5).
  std::size_t cursor = 0;
  EXPECT_EQ(s.start_us(0, cursor), 0);
  EXPECT_EQ(s.start_us(20, cursor), 2'000'000);
  EXPECT_EQ(s.start_us(125, cursor), 5'000'000);
  EXPECT_EQ(s.start_us(500, cursor), 10'000'000);
  EXPECT_EQ(s.start_us(750, cursor), 12'500'000);
  // In the ramp down, the iterations due after the plateau: 100τ − 5τ², so 375 of them are due
  // at τ = 5 s.
  EXPECT_EQ(s.start_us(1000 + 375, cursor), 20'000'000);
  // The 1500th start (index 1499) is just before the end; none after.
  EXPECT_TRUE(s.start_us(1499, cursor));
  EXPECT_FALSE(s.start_us(1500, cursor));
  // Every second of the curve, within one iteration of the integral.
  for (int t = 1; t <= 25; ++t) {
    const double td = t;
    const double want = td <= 10   ? 5 * td * td
                        : td <= 15 ? 500 + 100 * (td - 10)
                                   : 1000 + 100 * (td - 15) - 5 * (td - 15) * (td - 15);
    EXPECT_NEAR(static_cast<double>(started_before(s, td)), want, 1.0) << "at " << t << " s";
  }
}

TEST(ArrivalScheduleTest, ZeroRateStagesStartNothing) {
  ArrivalSchedule s(ramp(0, {{5, 0}, {1, 0}, {2, 10}}), 1.0);
  std::size_t cursor = 0;
  // 10 iterations in the last 2 s (0 → 10/s); the first at its start, 6 s in.
  EXPECT_EQ(s.start_us(0, cursor), 6'000'000);
  EXPECT_EQ(started_before(s, 100), 10u);
}

TEST(ArrivalScheduleTest, SharesAreDisjointAndComplete) {
  // Worker 1 of 3, thread 0 of 2: every 6th iteration from 1. Together the six shares take
  // every iteration once.
  ArrivalSchedule s(ramp(10, {{3, 50}}), 1.0);
  std::vector<int> seen(200, 0);
  for (int worker = 0; worker < 3; ++worker) {
    for (int thread = 0; thread < 2; ++thread) {
      std::size_t cursor = 0;
      const std::uint64_t stride = 6, first = static_cast<std::uint64_t>(worker + 3 * thread);
      for (std::uint64_t n = first; s.start_us(n, cursor); n += stride) ++seen[n];
    }
  }
  const auto total = static_cast<std::size_t>(std::ceil(*s.total()));
  for (std::size_t n = 0; n < seen.size(); ++n) EXPECT_EQ(seen[n], n < total ? 1 : 0) << n;
}

}  // namespace
}  // namespace arrload::engine
