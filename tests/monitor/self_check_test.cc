#include "monitor/self_check.h"

#include <time.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace arrload::monitor {
namespace {

// Readings a test sets by hand.
struct FakeReadings {
  core::Micros now_us = 1'000'000;
  double cpu_seconds = 10;
};

SelfCheck make_check(FakeReadings* r, double cores) {
  return SelfCheck(
      SelfCheckThresholds{}, [r] { return r->cpu_seconds; }, [r] { return r->now_us; }, cores);
}

TEST(SelfCheckTest, CpuPercentOverTheLastInterval) {
  FakeReadings r;
  SelfCheck check = make_check(&r, 2);
  r.now_us += 1'000'000;
  r.cpu_seconds += 0.5;
  SelfCheckSample s = check.sample(r.now_us);
  EXPECT_DOUBLE_EQ(s.t, 1.0);
  EXPECT_DOUBLE_EQ(s.cpu_percent, 50);
  EXPECT_EQ(s.cores, 2);
  EXPECT_EQ(s.lag_ms, 0);
  EXPECT_FALSE(s.saturated);
  r.now_us += 2'000'000;  // the next interval only: 3 s of CPU over 2 s
  r.cpu_seconds += 3;
  s = check.sample(r.now_us);
  EXPECT_DOUBLE_EQ(s.t, 3.0);
  EXPECT_DOUBLE_EQ(s.cpu_percent, 150);
  EXPECT_FALSE(s.saturated);  // under 90% of 2 cores (180%)
}

TEST(SelfCheckTest, SaturatedAtNinetyPercentOfAllCores) {
  FakeReadings r;
  SelfCheck check = make_check(&r, 2);
  r.now_us += 1'000'000;
  r.cpu_seconds += 1.8;
  SelfCheckSample s = check.sample(r.now_us);
  EXPECT_NEAR(s.cpu_percent, 180, 1e-9);
  EXPECT_TRUE(s.saturated);
  r.now_us += 1'000'000;
  r.cpu_seconds += 1.79;
  EXPECT_FALSE(check.sample(r.now_us).saturated);
  SelfCheck one_core = make_check(&r, 1);
  r.now_us += 1'000'000;
  r.cpu_seconds += 0.95;
  EXPECT_TRUE(one_core.sample(r.now_us).saturated);
}

TEST(SelfCheckTest, LateTickIsSaturation) {
  FakeReadings r;
  SelfCheck check = make_check(&r, 4);
  const core::Micros scheduled = r.now_us + 1'000'000;
  r.now_us = scheduled + 150'000;  // fired 150 ms late, with little CPU
  r.cpu_seconds += 0.1;
  SelfCheckSample s = check.sample(scheduled);
  EXPECT_DOUBLE_EQ(s.lag_ms, 150);
  EXPECT_TRUE(s.saturated);
  r.now_us += 1'000'000;
  EXPECT_FALSE(check.sample(r.now_us - 100'000).saturated);  // exactly 100 ms: not over
  r.now_us += 1'000'000;
  EXPECT_EQ(check.sample(r.now_us + 5'000).lag_ms, 0);  // early: no lag
  r.now_us += 1'000'000;
  EXPECT_EQ(check.sample().lag_ms, 0);
}

TEST(SelfCheckTest, ThresholdsAreSettable) {
  FakeReadings r;
  SelfCheck check(
      SelfCheckThresholds{0.5, 20}, [&r] { return r.cpu_seconds; }, [&r] { return r.now_us; }, 2);
  r.now_us += 1'000'000;
  r.cpu_seconds += 1.0;
  EXPECT_TRUE(check.sample(r.now_us).saturated);  // 100% >= 50% of 2 cores
  r.now_us += 1'000'000;
  EXPECT_TRUE(check.sample(r.now_us - 25'000).saturated);  // 25 ms > 20 ms
}

TEST(SelfCheckTest, WaitingForACpuIsSaturationToo) {
  // A generator starved by other processes: little CPU of its own, but its threads waited
  // 630 ms of the second for a core.
  FakeReadings r;
  double waited = 2.0;
  SelfCheck check(
      SelfCheckThresholds{}, [&r] { return r.cpu_seconds; }, [&r] { return r.now_us; }, 1,
      [&waited] { return waited; });
  r.now_us += 1'000'000;
  r.cpu_seconds += 0.39;
  waited += 0.63;
  SelfCheckSample s = check.sample(r.now_us);
  EXPECT_NEAR(s.wait_ms_per_s, 630, 1e-6);
  EXPECT_TRUE(s.saturated);
  r.now_us += 1'000'000;
  waited += 0.02;  // 20 ms: a busy machine, not a starved generator
  s = check.sample(r.now_us);
  EXPECT_FALSE(s.saturated);
  SelfCheckSummary sum = summarize({s});
  EXPECT_EQ(sum.message,
            "generator OK (CPU up to 0% of 1 core, tick lag up to 0 ms, waited for a CPU up to 20 "
            "ms per second)");
}

TEST(SelfCheckTest, Summary) {
  EXPECT_EQ(summarize({}).message, "generator not checked (no samples)");
  std::vector<SelfCheckSample> ok{{1, 35, 2, 3, false}, {2, 20, 2, 1, false}};
  SelfCheckSummary s = summarize(ok);
  EXPECT_EQ(s.message, "generator OK (CPU up to 35% of 2 cores, tick lag up to 3 ms)");
  ok.push_back({3, 196, 2, 340, true});
  s = summarize(ok);
  EXPECT_EQ(s.saturated_samples, 1);
  EXPECT_EQ(s.message,
            "generator saturated in 1 of 3 samples (CPU up to 196% of 2 cores, tick lag up to "
            "340 ms): latencies include time the load generator was busy");
}

TEST(SelfCheckTest, RealReadings) {
  EXPECT_GE(available_cores(), 1);
  const double before = process_cpu_seconds();
  volatile double sink = 0;
  for (int i = 0; i < 20'000'000; ++i) sink = sink + i;
  EXPECT_GT(process_cpu_seconds(), before);
}

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Two threads spinning for 600 ms: the sample shows at least the CPU they got. On an idle
// 2-core machine that is ~200%; on a machine shared with compilers it is less, so the check is
// against the threads' own CPU clocks rather than a fixed figure.
TEST(SelfCheckTest, BusyThreadsShowHighCpu) {
  SelfCheck check;
  std::atomic<bool> stop{false};
  std::atomic<double> spun_seconds{0};
  auto spin = [&] {
    const double start = thread_cpu_seconds();
    volatile unsigned long n = 0;
    while (!stop.load(std::memory_order_relaxed)) n = n + 1;
    const double used = thread_cpu_seconds() - start;
    double expected = spun_seconds.load();
    while (!spun_seconds.compare_exchange_weak(expected, expected + used)) {
    }
  };
  const core::Micros start_us = core::now_us();
  std::thread a(spin), b(spin);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  stop = true;
  a.join();
  b.join();
  SelfCheckSample s = check.sample();
  const double wall = static_cast<double>(core::now_us() - start_us) / 1e6;
  const double spun_percent = 100 * spun_seconds.load() / wall;
  EXPECT_GT(spun_percent, 20) << "the spinners hardly ran";
  EXPECT_GE(s.cpu_percent, 0.9 * spun_percent) << "cores " << s.cores;
  EXPECT_LE(s.cpu_percent, 100 * s.cores + 20);
}

}  // namespace
}  // namespace arrload::monitor
