#include "stats/snapshot.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "stats/delta.h"  // merge_error_count

namespace arrload::stats {

namespace {

// Per-second rate over the whole run; 0 before any time has passed rather than a huge spike.
double per_second(std::uint64_t n, double elapsed_s) {
  if (!(elapsed_s > 0)) return 0;
  return static_cast<double>(n) / elapsed_s;
}

// WINDOW_S > 0: the rates are recomputed from the merged recent window, as the Aggregator does.
void merge_row(EndpointStats& into, const EndpointStats& from, double window_s) {
  into.total.merge(from.total);
  into.recent.merge(from.recent);
  into.last_second.merge(from.last_second);
  if (window_s > 0) {
    into.current_rps = static_cast<double>(into.recent.num_requests) / window_s;
    into.current_fail_per_sec = static_cast<double>(into.recent.num_failures) / window_s;
  } else {
    into.current_rps += from.current_rps;
    into.current_fail_per_sec += from.current_fail_per_sec;
  }
}

// Adds the (name, count) pairs of FROM into INTO by name; new names go to the end.
void merge_counts(std::vector<std::pair<std::string, std::uint64_t>>& into,
                  const std::vector<std::pair<std::string, std::uint64_t>>& from) {
  for (const auto& row : from) {
    auto it = std::find_if(into.begin(), into.end(),
                           [&](const auto& have) { return have.first == row.first; });
    if (it == into.end()) {
      into.push_back(row);
    } else {
      it->second += row.second;
    }
  }
}

}  // namespace

void sort_errors_by_frequency(std::vector<std::pair<ErrorKey, ErrorCount>>& errors) {
  std::sort(errors.begin(), errors.end(), [](const auto& a, const auto& b) {
    if (a.second.occurrences != b.second.occurrences) {
      return a.second.occurrences > b.second.occurrences;
    }
    return std::tie(a.first.method, a.first.name, a.first.message) <
           std::tie(b.first.method, b.first.name, b.first.message);
  });
}

void Snapshot::merge(const Snapshot& other) {
  // A default Snapshot (start 0) is the empty start of an accumulation.
  start_unix = start_unix == 0         ? other.start_unix
               : other.start_unix == 0 ? start_unix
                                       : std::min(start_unix, other.start_unix);
  taken_unix = std::max(taken_unix, other.taken_unix);
  elapsed_s = std::max(elapsed_s, other.elapsed_s);
  const double window_s = recent_window_s == other.recent_window_s ? recent_window_s : 0;
  recent_window_s = std::max(recent_window_s, other.recent_window_s);

  std::map<EndpointKey, EndpointStats> rows;
  for (auto& row : endpoints) rows.emplace(row.key, std::move(row));
  for (const EndpointStats& row : other.endpoints) {
    auto [it, inserted] = rows.try_emplace(row.key, row);
    if (!inserted) merge_row(it->second, row, window_s);
  }
  endpoints.clear();
  for (auto& [key, row] : rows) endpoints.push_back(std::move(row));
  if (aggregated.key.name.empty()) aggregated.key = other.aggregated.key;
  merge_row(aggregated, other.aggregated, window_s);

  std::map<ErrorKey, ErrorCount, ErrorKeyLess> grouped(errors.begin(), errors.end());
  for (const auto& [key, count] : other.errors) merge_error_count(grouped[key], count);
  errors.assign(grouped.begin(), grouped.end());
  sort_errors_by_frequency(errors);

  user_count += other.user_count;
  dropped_iterations += other.dropped_iterations;
  scheduled_iterations += other.scheduled_iterations;
  peak_user_count += other.peak_user_count;
  merge_counts(users_per_class, other.users_per_class);
  merge_counts(exceptions, other.exceptions);
  // Most frequent first, ties by message (the engine's ExceptionLog order).
  std::stable_sort(exceptions.begin(), exceptions.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
}

double Snapshot::total_rps(const EndpointStats& e) const {
  return per_second(e.total.num_requests, elapsed_s);
}

double Snapshot::total_fail_per_sec(const EndpointStats& e) const {
  return per_second(e.total.num_failures, elapsed_s);
}

double Snapshot::fail_ratio() const {
  const Entry& t = aggregated.total;
  if (t.num_requests == 0) return 0;
  return static_cast<double>(t.num_failures) / static_cast<double>(t.num_requests);
}

}  // namespace arrload::stats
