#include "target/log_buffer.h"

#include <algorithm>
#include <cctype>

#include "core/strings.h"

namespace arrload::target {

void LogBuffer::add(LogEntry entry) {
  // The entry is copied for the sink only when there is one: the request path logs twice per
  // request.
  std::optional<LogEntry> copy;
  if (sink_ != nullptr && sink_->wanted()) copy = entry;
  std::uint64_t seq = 0;
  {
    std::lock_guard lock(mu_);
    seq = ++added_;
    if (ring_.size() < kCapacity) {
      ring_.push_back(std::move(entry));
      next_ = ring_.size() % kCapacity;
    } else {
      ring_[next_] = std::move(entry);
      next_ = (next_ + 1) % kCapacity;
    }
  }
  if (copy) sink_->on_entry(*copy, seq);
}

std::vector<LogEntry> LogBuffer::newest(std::size_t limit, std::uint64_t* newest_seq) const {
  std::vector<LogEntry> out;
  std::lock_guard lock(mu_);
  *newest_seq = added_;
  const std::size_t n = ring_.size();
  for (std::size_t i = 0; i < n && out.size() < limit; ++i) {
    out.push_back(ring_[(next_ + n - 1 - i) % n]);
  }
  return out;
}

std::vector<LogEntry> LogBuffer::recent(std::size_t limit, const std::optional<std::string>& level,
                                        const std::optional<std::string>& search) const {
  const std::string want_level = level ? core::to_lower(*level) : "";
  const std::string want_text = search ? core::to_lower(*search) : "";
  std::vector<LogEntry> out;
  std::lock_guard lock(mu_);
  const std::size_t n = ring_.size();
  for (std::size_t i = 0; i < n && out.size() < limit; ++i) {
    const LogEntry& e = ring_[(next_ + n - 1 - i) % n];
    if (level && core::to_lower(e.level) != want_level) continue;
    if (search && core::to_lower(e.message).find(want_text) == std::string::npos) continue;
    out.push_back(e);
  }
  return out;
}

std::size_t LogBuffer::size() const {
  std::lock_guard lock(mu_);
  return ring_.size();
}

}  // namespace arrload::target
