#include "stats/shard.h"

#include <functional>
#include <utility>

#include "core/clock.h"
#include "core/redact.h"

namespace arrload::stats {

std::size_t ErrorKeyHash::operator()(const ErrorKey& k) const {
  const std::hash<std::string_view> h;
  std::size_t seed = h(k.method);
  // boost::hash_combine's mixing step; keeps ("a","bc") and ("ab","c") apart.
  for (const std::string* part : {&k.name, &k.message}) {
    seed ^= h(*part) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
  }
  return seed;
}

std::size_t Shard::KeyHash::operator()(std::string_view s) const {
  return std::hash<std::string_view>{}(s);
}

template <bool kScheduled>
void Shard::record_sample(std::string_view method, std::string_view name, std::uint64_t latency_us,
                          Slots slots, std::uint64_t body_bytes, bool failed,
                          std::string_view error_message, std::string_view category,
                          const Transfer* transfer) {
  // Secrets die here, where a request's name and failure message become data: every report, log,
  // web UI row and cluster message is made from what the shard holds (core/redact.h). A name
  // without '=', ':', '@' or a space costs one scan; a masked one is the name of its row.
  if (core::redact_into(name, name_scratch_)) name = name_scratch_;
  if (failed) error_message = masked_message(error_message);
  // assign/append reuse scratch_'s capacity, so a known key costs no allocation.
  scratch_.assign(method);
  scratch_.push_back('\0');
  scratch_.append(name);
  auto it = entries_.find(scratch_);
  if (it == entries_.end()) {
    EndpointKey key{std::string(method), std::string(name)};
    it = entries_.emplace(scratch_, std::pair{std::move(key), Entry{}}).first;
  }
  Entry& entry = it->second.second;
  // A shard's entry lives for one second; it learns its category from its first request.
  if (entry.category.empty() && !category.empty()) entry.category.assign(category);
  if constexpr (kScheduled) {
    entry.record_scheduled(latency_us, slots.late_us, body_bytes, failed, slots.missed,
                           slots.period_us);
  } else {
    entry.record(latency_us, body_bytes, failed);
  }
  entry.wire_bytes += transfer != nullptr ? transfer->wire_bytes : body_bytes;
  if (transfer != nullptr) entry.redirects += transfer->redirects;
  if (listener_) {
    listener_(SampleView{method, name, latency_us, body_bytes, failed,
                         failed ? error_message : std::string_view()});
  }
  if (!failed) return;

  error_scratch_.method.assign(method);
  error_scratch_.name.assign(name);
  error_scratch_.message.assign(error_message);
  const double now = core::wall_unix_seconds();
  auto err = errors_.find(error_scratch_);
  if (err == errors_.end()) {
    err = errors_.emplace(error_scratch_, ErrorCount{0, now, now}).first;
  }
  ++err->second.occurrences;
  err->second.last_seen = now;
}

std::string_view Shard::masked_message(std::string_view message) {
  // Failures repeat their message (that is how they group): mask each new text once.
  if (message != last_message_) {
    last_message_.assign(message);
    last_message_masked_ = core::redact_into(message, message_scratch_);
  }
  return last_message_masked_ ? std::string_view(message_scratch_) : message;
}

void Shard::record(std::string_view method, std::string_view name, std::uint64_t latency_us,
                   std::uint64_t body_bytes, bool failed, std::string_view error_message,
                   std::string_view category, const Transfer* transfer) {
  record_sample<false>(method, name, latency_us, Slots{}, body_bytes, failed, error_message,
                       category, transfer);
}

void Shard::record_scheduled(std::string_view method, std::string_view name,
                             std::uint64_t latency_us, Slots slots, std::uint64_t body_bytes,
                             bool failed, std::string_view error_message, std::string_view category,
                             const Transfer* transfer) {
  record_sample<true>(method, name, latency_us, slots, body_bytes, failed, error_message, category,
                      transfer);
}

ShardDelta Shard::take() {
  ShardDelta delta;
  delta.dropped_iterations = std::exchange(dropped_, 0);
  delta.scheduled_iterations = std::exchange(scheduled_, 0);
  delta.entries.reserve(entries_.size());
  for (auto& [packed, keyed] : entries_) delta.entries.push_back(std::move(keyed));
  entries_.clear();
  delta.errors.reserve(errors_.size());
  // Map keys are const; extracting the nodes lets the key strings move instead of copy.
  while (!errors_.empty()) {
    auto node = errors_.extract(errors_.begin());
    delta.errors.emplace_back(std::move(node.key()), node.mapped());
  }
  return delta;
}

}  // namespace arrload::stats
