#include "target/faults.h"

#include <chrono>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace arrload::target {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

TEST(FaultConfig, UpdatesOnlyTheNamedKnobs) {
  FaultConfig c;
  c.added_latency_ms = 5;
  const json::object obj =
      json::parse(R"({"error_ratio_read":0.25,"error_status":503})").as_object();
  EXPECT_FALSE(update_fault_config(obj, &c).has_value());
  EXPECT_EQ(c.error_ratio_read, 0.25);
  EXPECT_EQ(c.error_status, 503);
  EXPECT_EQ(c.added_latency_ms, 5);
  EXPECT_EQ(fault_config_json(c).at("error_ratio_read").as_double(), 0.25);
}

TEST(FaultConfig, RejectsBadValuesAndLeavesTheConfig) {
  for (const char* bad :
       {R"({"error_ratio_read":1.5})", R"({"error_status":404})", R"({"reset_ratio":"lots"})",
        R"({"typo_knob":1})", R"({"stall_seconds":5,"stall_every_seconds":5})",
        R"({"added_latency_ms":-1})"}) {
    FaultConfig c;
    EXPECT_TRUE(update_fault_config(json::parse(bad).as_object(), &c).has_value()) << bad;
    EXPECT_EQ(c.error_ratio_read, 0) << bad;
    EXPECT_EQ(c.error_status, 500) << bad;
  }
}

TEST(Faults, NothingHappensWithoutKnobs) {
  Faults f{FaultConfig{}};
  for (int i = 0; i < 100; ++i) {
    EXPECT_FALSE(f.draw_error(RouteGroup::kRead).has_value());
    EXPECT_FALSE(f.draw_reset(RouteGroup::kRead));
  }
  EXPECT_EQ(f.hold(RouteGroup::kRead, Faults::Clock::now()), Faults::Clock::duration::zero());
  EXPECT_FALSE(f.warming_up());
}

TEST(Faults, ErrorRatioIsPerGroupAndNeverInternal) {
  FaultConfig c;
  c.error_ratio_write = 1;
  c.error_status = 502;
  Faults f(c);
  EXPECT_EQ(f.draw_error(RouteGroup::kWrite), 502);
  EXPECT_FALSE(f.draw_error(RouteGroup::kRead).has_value());
  EXPECT_FALSE(f.draw_error(RouteGroup::kInternal).has_value());
  EXPECT_EQ(f.injected_errors.load(), 1u);
}

TEST(Faults, StallsHoldResponsesUntilTheStallEnds) {
  FaultConfig c;
  c.stall_seconds = 2;
  c.stall_every_seconds = 10;
  c.added_latency_ms = 100;
  Faults f(c);
  const auto now = Faults::Clock::now();
  // Ready 100 ms from now: 1.9 s of the stall left.
  const auto held = f.hold(RouteGroup::kHealth, now);
  EXPECT_GT(held, 1900ms);
  EXPECT_LE(held, 2000ms);
  // Between stalls, only the added latency.
  EXPECT_EQ(f.hold(RouteGroup::kHealth, now + 5s), Faults::Clock::duration(100ms));
  EXPECT_GT(f.hold(RouteGroup::kHealth, now + 10s), 1800ms);  // the next stall
  EXPECT_EQ(f.hold(RouteGroup::kInternal, now), Faults::Clock::duration::zero());
}

// A group's own added latency comes on top of the one for every group, for that group only.
TEST(Faults, AddedLatencyPerGroup) {
  FaultConfig c;
  c.added_latency_read_ms = 50;
  Faults f(c);
  const auto now = Faults::Clock::now();
  EXPECT_EQ(f.hold(RouteGroup::kRead, now), Faults::Clock::duration(50ms));
  EXPECT_EQ(f.hold(RouteGroup::kHealth, now), Faults::Clock::duration::zero());
  EXPECT_EQ(f.hold(RouteGroup::kWrite, now), Faults::Clock::duration::zero());
  c.added_latency_ms = 10;
  c.added_latency_slow_ms = 5;
  f.set(c, false, false);
  EXPECT_EQ(f.hold(RouteGroup::kRead, now), Faults::Clock::duration(60ms));
  EXPECT_EQ(f.hold(RouteGroup::kSlow, now), Faults::Clock::duration(15ms));
  EXPECT_EQ(f.hold(RouteGroup::kHealth, now), Faults::Clock::duration(10ms));
  EXPECT_EQ(f.hold(RouteGroup::kInternal, now), Faults::Clock::duration::zero());
  // The admin endpoint's knob, by name.
  FaultConfig d;
  EXPECT_FALSE(
      update_fault_config(boost::json::parse(R"({"added_latency_write_ms":25})").as_object(), &d));
  EXPECT_EQ(d.added_latency_write_ms, 25);
  EXPECT_EQ(fault_config_json(d).at("added_latency_write_ms").as_double(), 25);
  EXPECT_TRUE(
      update_fault_config(boost::json::parse(R"({"added_latency_read_ms":-1})").as_object(), &d));
}

TEST(Faults, LeakGrowsWithLoadAndClearFreesIt) {
  FaultConfig c;
  c.leak_mib_per_minute = 600;  // 10 MiB/s
  Faults f(c);
  auto t = Faults::Clock::now();
  for (int i = 0; i < 30; ++i) f.on_request(RouteGroup::kRead, t += 100ms);  // 3 s of load
  EXPECT_GE(f.leaked_bytes(), std::size_t{28} << 20);
  EXPECT_LE(f.leaked_bytes(), std::size_t{30} << 20);
  f.on_request(RouteGroup::kRead, t += 60s);  // an idle minute is not load
  EXPECT_LE(f.leaked_bytes(), std::size_t{40} << 20);
  f.clear();
  EXPECT_EQ(f.leaked_bytes(), 0u);
}

TEST(Faults, WarmupEnds) {
  FaultConfig c;
  c.warmup_seconds = 0.2;
  Faults f(c);
  EXPECT_TRUE(f.warming_up());
  EXPECT_FALSE(f.warming_up(Faults::Clock::now() + 300ms));
  EXPECT_EQ(f.warmup_done_at().size(), 26u);
}

}  // namespace
}  // namespace arrload::target
