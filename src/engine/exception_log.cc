#include "engine/exception_log.h"

#include <algorithm>

namespace arrload::engine {

std::vector<std::pair<std::string, std::uint64_t>> ExceptionLog::list() const {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  {
    std::lock_guard lock(mu_);
    out.assign(counts_.begin(), counts_.end());
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

}  // namespace arrload::engine
