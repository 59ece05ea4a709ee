// Each fault knob, observed the way a load test would see it, over a real socket.
#include <thread>

#include "target/server_fixture.h"

namespace arrload::target {
namespace {

using namespace testing_support;  // NOLINT(google-build-using-namespace)
namespace json = boost::json;
using namespace std::chrono_literals;

using FaultInjectionTest = TargetServerTest;

TEST_F(FaultInjectionTest, AdminEndpointShowsSetsAndClears) {
  json::value initial = get_json("/__target/faults");
  EXPECT_EQ(initial.at("error_ratio_read").as_double(), 0);
  EXPECT_EQ(initial.at("error_status"), 500);
  EXPECT_EQ(initial.at("state").at("warming_up"), false);
  json::value set = call_json("PUT", "/__target/faults", R"({"added_latency_ms":30})");
  EXPECT_EQ(set.at("added_latency_ms").as_double(), 30);
  EXPECT_EQ(get_json("/__target/faults").at("added_latency_ms").as_double(), 30);
  call_json("POST", "/__target/faults", R"({"error_ratio_read":2})", 422);
  call_json("PUT", "/__target/faults", R"({"nope":1})", 422);
  call_json("PUT", "/__target/faults", "not json", 422);
  EXPECT_EQ(call_json("DELETE", "/__target/faults", "").at("added_latency_ms").as_double(), 0);
}

TEST_F(FaultInjectionTest, ErrorRatioWithinTolerance) {
  call_json("PUT", "/__target/faults", R"({"error_ratio_read":0.3,"error_status":503})");
  constexpr int kRequests = 1000;
  int errors = 0;
  for (int i = 0; i < kRequests; ++i) {
    http::Response r = call("GET", "/api/v1/downloads/status");
    if (r.status == 503) {
      ++errors;
      if (errors == 1) {
        json::value body = json::parse(r.body);
        EXPECT_EQ(body.at("error"), "Service Unavailable");
        EXPECT_EQ(body.at("path"), "/api/v1/downloads/status");
      }
    } else {
      EXPECT_EQ(r.status, 200);
    }
  }
  // 0.3 +- 0.06 is about 4 standard errors of a fraction over 1,000 requests.
  EXPECT_NEAR(errors / double(kRequests), 0.3, 0.06);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(call("GET", "/ping").status, 200);  // health: no ratio
  EXPECT_EQ(get_json("/__target/stats").at("injected_errors").to_number<int>(), errors);
}

TEST_F(FaultInjectionTest, StallIsATimeoutForAShortTimeoutClient) {
  call_json("PUT", "/__target/faults", R"({"stall_seconds":1.5,"stall_every_seconds":600})");
  const auto start = std::chrono::steady_clock::now();
  http::Response stalled = call("GET", "/ping", "", nullptr, 300'000);
  EXPECT_EQ(stalled.error, core::NetError::kTimeout);
  EXPECT_EQ(stalled.status, 0);
  EXPECT_EQ(get_json("/__target/faults").at("stall_seconds").as_double(), 1.5);  // admin: not held
  std::this_thread::sleep_until(start + 1600ms);
  EXPECT_EQ(call("GET", "/ping", "", nullptr, 300'000).status, 200);  // the stall is over
}

TEST_F(FaultInjectionTest, ConnectionResets) {
  call_json("PUT", "/__target/faults", R"({"reset_ratio":1})");
  http::Response r = call("GET", "/api/v1/shows/1");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.error, core::NetError::kConnectionReset) << r.error_detail;
  call_json("PUT", "/__target/faults", R"({"reset_ratio":0})");
  EXPECT_EQ(call("GET", "/api/v1/shows/1").status, 200);
  EXPECT_GE(get_json("/__target/stats").at("injected_resets").to_number<int>(), 1);
}

TEST_F(FaultInjectionTest, AddedLatency) {
  call_json("PUT", "/__target/faults", R"({"added_latency_ms":150})");
  http::Response r = call("GET", "/ping");
  EXPECT_EQ(r.status, 200);
  EXPECT_GE(r.latency_us, 150'000);
}

TEST_F(FaultInjectionTest, LeakGrowsResidentMemory) {
  const auto rss = [this] {
    return get_json("/__target/stats").at("rss_bytes").to_number<long long>();
  };
  const long long before = rss();
  call_json("PUT", "/__target/faults", R"({"leak_mib_per_minute":1800})");  // 30 MiB/s
  const auto until = std::chrono::steady_clock::now() + 1500ms;
  while (std::chrono::steady_clock::now() < until) {
    EXPECT_EQ(call("GET", "/ping").status, 200);
    std::this_thread::sleep_for(5ms);
  }
  json::value stats = get_json("/__target/stats");
  EXPECT_GE(stats.at("leaked_bytes").to_number<long long>(), 30ll << 20);
  EXPECT_GE(rss() - before, 25ll << 20);
  call("DELETE", "/__target/faults");
  EXPECT_EQ(get_json("/__target/stats").at("leaked_bytes").to_number<long long>(), 0);
}

TEST_F(FaultInjectionTest, WarmupAnswers503ThenReady) {
  Options o = test_options();
  o.faults.warmup_seconds = 0.8;
  start_with(o);
  json::value warming = get_json("/health/ready", 503);
  EXPECT_EQ(warming.at("detail"), "Application is still warming up");
  EXPECT_EQ(get_json("/health/live").at("alive"), true);  // only readiness waits
  std::this_thread::sleep_for(900ms);
  json::value ready = get_json("/health/ready");
  EXPECT_EQ(ready.at("warmup_complete"), true);
  EXPECT_TRUE(ready.at("warmup_timestamp").is_string());
  call_json("PUT", "/__target/faults", R"({"warmup_seconds":30})");  // a simulated restart
  get_json("/health/ready", 503);
}

TEST_F(FaultInjectionTest, MetricsInPrometheusText) {
  get_json("/ping");
  http::Response r = call("GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("# TYPE process_resident_memory_bytes gauge\n"
                        "process_resident_memory_bytes "),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("http_requests_total{status=\"2xx\"} "), std::string::npos);
  const std::size_t at = r.body.find("process_resident_memory_bytes ", r.body.find("gauge\n"));
  EXPECT_GT(std::stoll(r.body.substr(at + 30)), 1'000'000);
}

}  // namespace
}  // namespace arrload::target
