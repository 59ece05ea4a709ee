#include "stats/aggregator.h"

#include <algorithm>
#include <utility>

namespace arrload::stats {

namespace {

// Merges ENTRY into MAP[KEY], moving key and entry in when the key is new (the common case for
// pending_, which starts empty every second).
void merge_into(std::map<EndpointKey, Entry>& map, EndpointKey&& key, Entry&& entry) {
  // try_emplace leaves its arguments untouched when the key already exists.
  auto [it, inserted] = map.try_emplace(std::move(key), std::move(entry));
  if (!inserted) it->second.merge(entry);
}

void merge_error(std::unordered_map<ErrorKey, ErrorCount, ErrorKeyHash>& errors, ErrorKey&& key,
                 const ErrorCount& count) {
  auto [it, inserted] = errors.try_emplace(std::move(key), count);
  if (inserted) return;
  ErrorCount& have = it->second;
  have.occurrences += count.occurrences;
  have.first_seen = std::min(have.first_seen, count.first_seen);
  have.last_seen = std::max(have.last_seen, count.last_seen);
}

double seconds_between(core::Micros from, core::Micros to) {
  return to > from ? static_cast<double>(to - from) / 1e6 : 0.0;
}

}  // namespace

Aggregator::Aggregator(core::Micros start_mono, double start_unix)
    : start_mono_(start_mono), start_unix_(start_unix) {}

void Aggregator::absorb(ShardDelta delta) {
  if (tap_) tap_(delta);
  std::lock_guard lock(mu_);
  for (auto& row : delta.entries) {
    total_[row.first].merge(row.second);
    merge_into(pending_, std::move(row.first), std::move(row.second));
  }
  for (auto& row : delta.errors) merge_error(errors_, std::move(row.first), row.second);
  dropped_ += delta.dropped_iterations;
  scheduled_ += delta.scheduled_iterations;
}

namespace {

void add_lean(Entry& into, const LeanEntry& e) {
  into.num_requests += e.num_requests;
  into.num_failures += e.num_failures;
  into.content_bytes += e.content_bytes;
  into.late_starts += e.late_starts;
  into.wire_bytes += e.wire_bytes;
  into.redirects += e.redirects;
  if (into.category.empty()) into.category = e.category;
  into.latency.add_state(e.latency);
  into.intended.add_state(e.intended);
}

}  // namespace

void Aggregator::absorb(const LeanDelta& delta) {
  std::lock_guard lock(mu_);
  for (const LeanEntry& e : delta.endpoints) {
    add_lean(total_[e.key], e);
    add_lean(pending_[e.key], e);
  }
  for (const auto& [key, count] : delta.errors) merge_error(errors_, ErrorKey(key), count);
  dropped_ += delta.dropped_iterations;
  scheduled_ += delta.scheduled_iterations;
}

void Aggregator::tick() {
  std::lock_guard lock(mu_);
  seconds_.push_back(std::move(pending_));
  pending_.clear();  // a moved-from map is valid but unspecified; make it empty for certain
  while (seconds_.size() > static_cast<std::size_t>(Snapshot::kRecentWindowSeconds)) {
    seconds_.pop_front();
  }
}

Snapshot Aggregator::snapshot(core::Micros now_mono, double now_unix) const {
  std::lock_guard lock(mu_);
  Snapshot snap;
  snap.start_unix = start_unix_;
  snap.taken_unix = now_unix;
  snap.elapsed_s = seconds_between(start_mono_, now_mono);
  // Before the first tick no second has closed, so the recent window is empty; dividing by the
  // elapsed time then keeps the rate finite without claiming a window that does not exist.
  const double window_s =
      seconds_.empty() ? std::max(1.0, snap.elapsed_s) : static_cast<double>(seconds_.size());

  snap.recent_window_s = window_s;
  snap.aggregated.key = EndpointKey{"", "Aggregated"};
  snap.endpoints.reserve(total_.size());
  for (const auto& [key, total] : total_) {
    EndpointStats row;
    row.key = key;
    row.total = total;
    for (const EntryMap& second : seconds_) {
      auto it = second.find(key);
      if (it != second.end()) row.recent.merge(it->second);
    }
    if (!seconds_.empty()) {
      auto it = seconds_.back().find(key);
      if (it != seconds_.back().end()) row.last_second = it->second;
    }
    row.current_rps = static_cast<double>(row.recent.num_requests) / window_s;
    row.current_fail_per_sec = static_cast<double>(row.recent.num_failures) / window_s;
    snap.aggregated.total.merge(row.total);
    snap.aggregated.recent.merge(row.recent);
    snap.aggregated.last_second.merge(row.last_second);
    snap.endpoints.push_back(std::move(row));
  }
  const Entry& agg_recent = snap.aggregated.recent;
  snap.aggregated.current_rps = static_cast<double>(agg_recent.num_requests) / window_s;
  snap.aggregated.current_fail_per_sec = static_cast<double>(agg_recent.num_failures) / window_s;

  snap.errors.assign(errors_.begin(), errors_.end());
  sort_errors_by_frequency(snap.errors);
  snap.dropped_iterations = dropped_;
  snap.scheduled_iterations = scheduled_;
  return snap;
}

void Aggregator::reset(core::Micros now_mono, double now_unix) {
  std::lock_guard lock(mu_);
  start_mono_ = now_mono;
  start_unix_ = now_unix;
  total_.clear();
  pending_.clear();
  seconds_.clear();
  errors_.clear();
  dropped_ = 0;
  scheduled_ = 0;
}

}  // namespace arrload::stats
