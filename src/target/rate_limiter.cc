#include "target/rate_limiter.h"

#include <memory>

#include <fmt/format.h>

namespace arrload::target {
namespace {

// Past this many clients, windows that have ended are dropped so the map stays small.
constexpr std::size_t kSweepAbove = 4096;

}  // namespace

bool RateLimiter::admit(std::string_view client, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (windows_.size() > kSweepAbove) forget_expired(now);
  auto [it, inserted] = windows_.try_emplace(std::string(client), Window{now, 0});
  Window& w = it->second;
  if (now - w.start >= window_) w = Window{now, 0};
  if (w.count >= limit_) return false;
  ++w.count;
  return true;
}

void RateLimiter::forget_expired(Clock::time_point now) {
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (now - it->second.start >= window_) {
      it = windows_.erase(it);
    } else {
      ++it;
    }
  }
}

std::string RateLimiter::describe() const {
  const auto seconds = window_.count();
  if (seconds % 3600 == 0) return fmt::format("{} per {} hour", limit_, seconds / 3600);
  if (seconds % 60 == 0) return fmt::format("{} per {} minute", limit_, seconds / 60);
  return fmt::format("{} per {} second", limit_, seconds);
}

Handler rate_limited(int limit, Handler handler) {
  auto limiter = std::make_shared<RateLimiter>(limit, std::chrono::minutes(1));
  return [limiter, handler = std::move(handler)](const Request& req) {
    if (!limiter->admit(req.client)) {
      return error_response(429, "Rate limit exceeded: " + limiter->describe());
    }
    return handler(req);
  };
}

}  // namespace arrload::target
