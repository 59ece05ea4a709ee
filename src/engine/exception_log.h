#pragma once
// Errors in a scenario's own logic during a run (Locust's "exceptions"): a variable a request
// needs was never extracted, and similar. Rare, so one mutex is fine. Thread-safe.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/redact.h"

namespace arrload::engine {

class ExceptionLog {
 public:
  // Counts MESSAGE, its secrets masked (core/redact.h).
  void add(const std::string& message) {
    std::string masked = core::redact(message);
    std::lock_guard lock(mu_);
    ++counts_[std::move(masked)];
  }
  // Message -> count, most frequent first.
  std::vector<std::pair<std::string, std::uint64_t>> list() const;
  void clear() {
    std::lock_guard lock(mu_);
    counts_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t> counts_;
};

}  // namespace arrload::engine
