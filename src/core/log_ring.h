#pragma once
// The newest log lines of this process, kept for the web UI's /logs (Locust's Logs tab). The
// console gets every line as before; this only remembers the last few hundred. Thread-safe.
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace arrload::core {

class LogRing {
 public:
  explicit LogRing(std::size_t capacity = 500) : capacity_(capacity == 0 ? 1 : capacity) {}

  // The process's ring, filled by the run's log lines.
  static LogRing& process() {
    static LogRing ring;
    return ring;
  }

  void add(std::string line) {
    std::lock_guard lock(mu_);
    if (lines_.size() == capacity_) lines_.pop_front();
    lines_.push_back(std::move(line));
  }

  // The kept lines, oldest first.
  std::vector<std::string> lines() const {
    std::lock_guard lock(mu_);
    return {lines_.begin(), lines_.end()};
  }

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::deque<std::string> lines_;
};

}  // namespace arrload::core
