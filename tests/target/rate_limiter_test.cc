#include "target/rate_limiter.h"

#include <gtest/gtest.h>

namespace arrload::target {
namespace {

using std::chrono::seconds;

TEST(RateLimiter, AdmitsTheLimitPerWindowPerClient) {
  RateLimiter limiter(3, seconds(60));
  const auto t0 = RateLimiter::Clock::now();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.admit("10.0.0.1", t0 + seconds(i)));
  EXPECT_FALSE(limiter.admit("10.0.0.1", t0 + seconds(10)));
  EXPECT_TRUE(limiter.admit("10.0.0.2", t0 + seconds(10)));  // another client
  EXPECT_FALSE(limiter.admit("10.0.0.1", t0 + seconds(59)));
  EXPECT_TRUE(limiter.admit("10.0.0.1", t0 + seconds(60)));  // a new window
}

TEST(RateLimiter, DescribesItselfLikeSlowapi) {
  EXPECT_EQ(RateLimiter(20, seconds(60)).describe(), "20 per 1 minute");
  EXPECT_EQ(RateLimiter(5, seconds(3600)).describe(), "5 per 1 hour");
  EXPECT_EQ(RateLimiter(5, seconds(10)).describe(), "5 per 10 second");
}

TEST(RateLimiter, WrappedHandlerAnswers429) {
  Handler h = rate_limited(2, [](const Request&) { return Response(); });
  Request req;
  req.client = "127.0.0.1";
  EXPECT_EQ(h(req).status, 200);
  EXPECT_EQ(h(req).status, 200);
  Response limited = h(req);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.body, R"({"detail":"Rate limit exceeded: 2 per 1 minute"})");
}

}  // namespace
}  // namespace arrload::target
