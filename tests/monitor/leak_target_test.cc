// The leak detector on the real target's memory, read from its /metrics while requests flow.
#include <chrono>

#include "monitor/leak.h"
#include "monitor/memory.h"
#include "monitor/monitor_fixture.h"

namespace arrload::monitor {
namespace {

using namespace std::chrono_literals;
using testing_support::MonitorTargetTest;
using testing_support::RequestFlow;

// A short window needs scaled thresholds: 4 s of a 1 MiB/min leak would be invisible. The knob
// leaks 900 MiB/min (15 MiB/s, ~60 MiB in the window); 200 MiB/min is far above what the test
// process's own allocations do in a few seconds, even under ASan's quarantine.
constexpr LeakThresholds kShortWindow{200, 0.05};
constexpr auto kWindow = 4s;
constexpr auto kInterval = 100ms;
constexpr double kRampUp = 0.5;

class LeakOnTargetTest : public MonitorTargetTest {
 protected:
  LeakVerdict sample_under_load() {
    RequestFlow flow(base());
    MemorySampler sampler(make_metrics_source(url("/metrics"), 1s), kInterval);
    sampler.start();
    std::this_thread::sleep_for(kWindow);
    sampler.stop();
    EXPECT_EQ(sampler.failures(), 0) << sampler.last_error();
    EXPECT_GT(flow.sent(), 100);
    return judge_memory(sampler.samples(), kRampUp, kShortWindow);
  }
};

TEST_F(LeakOnTargetTest, LeakKnobIsJudgedGrowing) {
  set_faults(R"({"leak_mib_per_minute":900})");
  LeakVerdict v = sample_under_load();
  EXPECT_EQ(v.state, LeakVerdict::kGrowing) << v.explanation;
  EXPECT_GT(v.growth_mib_per_minute, 400) << v.explanation;
  EXPECT_GT(v.samples_used, 20);
  call_json("DELETE", "/__target/faults", "");
}

TEST_F(LeakOnTargetTest, WithoutTheKnobIsStable) {
  LeakVerdict v = sample_under_load();
  EXPECT_EQ(v.state, LeakVerdict::kStable) << v.explanation;
}

}  // namespace
}  // namespace arrload::monitor
