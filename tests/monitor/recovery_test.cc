#include "monitor/recovery.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "monitor/monitor_fixture.h"
#include "monitor/preflight.h"

namespace arrload::monitor {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class RecoveryTest : public testing_support::MonitorTargetTest {
 protected:
  // The pre-load health latency, as a run measures it before starting the load.
  double baseline() {
    PreflightResult r = check_health(url("/health"), 2s);
    EXPECT_TRUE(r.ok) << r.message;
    return r.latency_ms;
  }
};

TEST_F(RecoveryTest, HealthyTargetRecoversAtTheFirstProbe) {
  RecoveryOptions o;
  o.max_wait = 3s;
  o.interval = 200ms;
  o.baseline_ms = baseline();
  // A floor well above loopback latency: on a loaded machine (CI compiling beside the tests) a
  // healthy probe can take more than the default 2 x 5 ms.
  o.baseline_floor_ms = 100;
  RecoveryResult r = probe_recovery(url("/health"), o);
  EXPECT_TRUE(r.recovered) << r.message;
  EXPECT_EQ(r.probes, 1) << r.message;
  EXPECT_EQ(r.last_status, 200);
  EXPECT_LT(r.seconds_to_recover, 0.5);
  EXPECT_EQ(r.limit_ms, 2 * std::max(o.baseline_ms, 100.0));  // the floor
  EXPECT_EQ(r.message.rfind("recovered after 0.", 0), 0u) << r.message;
}

TEST_F(RecoveryTest, StalledTargetRecoversWhenTheStallEnds) {
  RecoveryOptions o;
  o.max_wait = 6s;
  o.interval = 250ms;
  o.health_budget_ms = 400;
  o.baseline_ms = baseline();
  set_faults(R"({"stall_seconds":2,"stall_every_seconds":600})");
  const auto stall_start = Clock::now();
  RecoveryResult r = probe_recovery(url("/health"), o);
  const double remaining = 2.0 - std::chrono::duration<double>(Clock::now() - stall_start).count() +
                           r.seconds_to_recover;
  EXPECT_TRUE(r.recovered) << r.message;
  EXPECT_NEAR(r.seconds_to_recover, remaining, 0.6) << r.message;
  EXPECT_GE(r.probes, 3) << r.message;
  EXPECT_NE(r.message.find("probes; status 200"), std::string::npos) << r.message;
}

TEST_F(RecoveryTest, TargetThatStaysUnhealthyIsNotRecovered) {
  set_faults(R"({"warmup_seconds":30})");  // /health/ready answers 503 for 30 s
  RecoveryOptions o;
  o.max_wait = 2s;
  o.interval = 500ms;
  o.baseline_ms = 1;
  const auto start = Clock::now();
  RecoveryResult r = probe_recovery(url("/health/ready"), o);
  EXPECT_FALSE(r.recovered);
  EXPECT_FALSE(r.interrupted);
  EXPECT_EQ(r.last_status, 503);
  EXPECT_EQ(r.probes, 5) << r.message;  // at 0, 0.5, 1, 1.5 and 2 s
  EXPECT_LT(Clock::now() - start, 3s);
  EXPECT_EQ(r.message.rfind("not recovered within 2 s (5 probes); last: status 503 (body: ", 0), 0u)
      << r.message;
}

TEST_F(RecoveryTest, SlowHealthAnswersAreNotRecovery) {
  set_faults(R"({"added_latency_ms":60})");
  RecoveryOptions o;
  o.max_wait = 600ms;
  o.interval = 200ms;
  o.baseline_ms = 2;  // limit: 2x max(2, 5) = 10 ms
  RecoveryResult r = probe_recovery(url("/health"), o);
  EXPECT_FALSE(r.recovered);
  EXPECT_EQ(r.last_status, 200);
  EXPECT_GE(r.last_latency_ms, 60);
  EXPECT_NE(r.message.find("over the 10.0 ms limit"), std::string::npos) << r.message;
  o.baseline_ms = 50;  // 2x 50 ms = 100 ms: now it counts
  EXPECT_TRUE(probe_recovery(url("/health"), o).recovered);
}

TEST_F(RecoveryTest, StopFlagInterrupts) {
  set_faults(R"({"warmup_seconds":30})");
  std::atomic<bool> stop{false};
  RecoveryOptions o;
  o.max_wait = 20s;
  o.interval = 1s;
  o.stop = [&stop] { return stop.load(); };
  std::thread interrupter([&stop] {
    std::this_thread::sleep_for(300ms);
    stop = true;
  });
  const auto start = Clock::now();
  RecoveryResult r = probe_recovery(url("/health/ready"), o);
  interrupter.join();
  EXPECT_FALSE(r.recovered);
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.probes, 1);
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_EQ(r.message.rfind("interrupted after 0.", 0), 0u) << r.message;
}

}  // namespace
}  // namespace arrload::monitor
