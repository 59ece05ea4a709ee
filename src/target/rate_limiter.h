#pragma once
// Per-client request limits, as AutoArr sets them with slowapi: a fixed window per client IP
// ("20 per 1 minute" admits 20 requests from an address in each minute that starts with its
// first request). Thread-safe.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "target/router.h"

namespace arrload::target {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // LIMIT requests per WINDOW per client.
  RateLimiter(int limit, std::chrono::seconds window) : limit_(limit), window_(window) {}

  // Counts a request from CLIENT at NOW; false when it is over the limit.
  bool admit(std::string_view client, Clock::time_point now = Clock::now());
  // "20 per 1 minute", as slowapi describes a limit.
  std::string describe() const;

 private:
  struct Window {
    Clock::time_point start;
    int count = 0;
  };
  void forget_expired(Clock::time_point now);  // REQUIRES: mu_ held

  const int limit_;
  const std::chrono::seconds window_;
  std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;  // guarded by mu_
};

// HANDLER behind a limit of LIMIT requests per minute per client IP; over it, 429
// {"detail": "Rate limit exceeded: 20 per 1 minute"}.
Handler rate_limited(int limit, Handler handler);

}  // namespace arrload::target
