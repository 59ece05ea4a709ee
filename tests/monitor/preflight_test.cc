#include "monitor/preflight.h"

#include <chrono>

#include "monitor/monitor_fixture.h"

namespace arrload::monitor {
namespace {

using namespace std::chrono_literals;
using testing_support::MonitorTargetTest;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

using PreflightTest = MonitorTargetTest;

TEST_F(PreflightTest, HealthyTargetIsOk) {
  PreflightResult r = check_health(url("/health"), 2s);
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.status, 200);
  EXPECT_GT(r.latency_ms, 0);
  EXPECT_LT(r.latency_ms, 2000);
  EXPECT_EQ(r.message.rfind("status 200 in ", 0), 0u) << r.message;
}

TEST_F(PreflightTest, ErrorStatusQuotesTheBody) {
  PreflightResult r = check_health(url("/__target/status/503"), 2s);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.message, R"(status 503 (body: {"status":503}))");
  EXPECT_EQ(check_health(url("/nope"), 2s).message, R"(status 404 (body: {"detail":"Not Found"}))");
}

TEST_F(PreflightTest, OtherSuccessStatusesAreNotOk) {
  PreflightResult r = check_health(url("/__target/status/204"), 2s);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.message, "status 204 (empty body)");
}

TEST_F(PreflightTest, SlowAnswerTimesOut) {
  const auto start = Clock::now();
  PreflightResult r = check_health(url("/__target/sleep/2000"), 300ms);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.message, "timed out after 300 ms");
  EXPECT_LT(seconds_since(start), 1.5);
}

TEST(PreflightNoTargetTest, ClosedPortIsRefusedFast) {
  const unsigned short port = testing_support::closed_port();
  const auto start = Clock::now();
  PreflightResult r = check_health("http://127.0.0.1:" + std::to_string(port) + "/health", 5s);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.message, "connection refused to 127.0.0.1:" + std::to_string(port));
  EXPECT_LT(seconds_since(start), 1.0);
}

// .invalid never resolves (RFC 6761), so the lookup fails without a server answering for it.
TEST(PreflightNoTargetTest, UnresolvableHost) {
  PreflightResult r = check_health("http://arrload-no-such-host.invalid:8088/health", 5s);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.message, "cannot resolve host 'arrload-no-such-host.invalid'");
}

TEST(PreflightNoTargetTest, InvalidUrl) {
  for (const char* bad :
       {"", "ftp://example.com/health", "http://", "http://host:99999/x", "http://host:8088/a b"}) {
    PreflightResult r = check_health(bad, 1s);
    EXPECT_FALSE(r.ok) << bad;
    EXPECT_EQ(r.message, std::string("invalid URL '") + bad + "'");
  }
}

TEST(PreflightNoTargetTest, FormatsTimeouts) {
  EXPECT_EQ(format_timeout(5s), "5 s");
  EXPECT_EQ(format_timeout(300ms), "300 ms");
  EXPECT_EQ(format_timeout(1500ms), "1.5 s");
  EXPECT_EQ(format_timeout(60s), "60 s");
}

}  // namespace
}  // namespace arrload::monitor
