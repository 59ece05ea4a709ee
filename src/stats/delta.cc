#include "stats/delta.h"

#include <algorithm>
#include <tuple>

namespace arrload::stats {

bool ErrorKeyLess::operator()(const ErrorKey& a, const ErrorKey& b) const {
  return std::tie(a.method, a.name, a.message) < std::tie(b.method, b.name, b.message);
}

void merge_error_count(ErrorCount& have, const ErrorCount& count) {
  if (have.occurrences == 0) {
    have = count;
    return;
  }
  have.occurrences += count.occurrences;
  have.first_seen = std::min(have.first_seen, count.first_seen);
  have.last_seen = std::max(have.last_seen, count.last_seen);
}

void Delta::add(const ShardDelta& shard, std::int64_t unix_second) {
  for (const auto& [key, entry] : shard.entries) {
    EndpointDelta& mine = endpoints[key];
    if (entry.num_requests != 0 || entry.num_failures != 0) {
      SecondCounts& second = mine.per_second[unix_second];
      second.requests += entry.num_requests;
      second.failures += entry.num_failures;
    }
    mine.entry.merge(entry);
  }
  for (const auto& [key, count] : shard.errors) merge_error_count(errors[key], count);
  dropped_iterations += shard.dropped_iterations;
  scheduled_iterations += shard.scheduled_iterations;
}

void Delta::add_exception(const std::string& message, std::uint64_t count) {
  if (count != 0) exceptions[message] += count;
}

void Delta::merge(const Delta& other) {
  for (const auto& [key, theirs] : other.endpoints) {
    EndpointDelta& mine = endpoints[key];
    mine.entry.merge(theirs.entry);
    for (const auto& [second, counts] : theirs.per_second) {
      SecondCounts& have = mine.per_second[second];
      have.requests += counts.requests;
      have.failures += counts.failures;
    }
  }
  for (const auto& [key, count] : other.errors) merge_error_count(errors[key], count);
  for (const auto& [message, count] : other.exceptions) add_exception(message, count);
  dropped_iterations += other.dropped_iterations;
  scheduled_iterations += other.scheduled_iterations;
}

ShardDelta Delta::to_shard_delta() const {
  ShardDelta out;
  out.entries.reserve(endpoints.size());
  for (const auto& [key, e] : endpoints) out.entries.emplace_back(key, e.entry);
  out.errors.assign(errors.begin(), errors.end());
  out.dropped_iterations = dropped_iterations;
  out.scheduled_iterations = scheduled_iterations;
  return out;
}

}  // namespace arrload::stats
