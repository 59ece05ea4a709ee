#include "stats/corrected.h"

#include <algorithm>

namespace arrload::stats {

const Histogram& corrected_latency(const Entry& e) {
  return is_scheduled(e) ? e.intended : e.latency;
}

bool has_schedule(const Snapshot& snap) {
  return snap.dropped_iterations > 0 || snap.scheduled_iterations > 0 ||
         is_scheduled(snap.aggregated.total) ||
         std::any_of(snap.endpoints.begin(), snap.endpoints.end(),
                     [](const EndpointStats& row) { return is_scheduled(row.total); });
}

Histogram aggregated_corrected_latency(const Snapshot& snap, Entry EndpointStats::*span) {
  // Without a scheduled endpoint the sum is the Aggregated row's own service times; with only
  // scheduled ones, its own intended times: no merge needed in either common case.
  const Entry& aggregated = snap.aggregated.*span;
  bool any_scheduled = false;
  bool all_scheduled = true;
  for (const EndpointStats& row : snap.endpoints) {
    const Entry& e = row.*span;
    if (e.num_requests == 0 && !is_scheduled(e)) continue;
    any_scheduled = any_scheduled || is_scheduled(e);
    all_scheduled = all_scheduled && is_scheduled(e);
  }
  if (!any_scheduled) return aggregated.latency;
  if (all_scheduled) return aggregated.intended;
  Histogram out;
  for (const EndpointStats& row : snap.endpoints) out.merge(corrected_latency(row.*span));
  return out;
}

double late_start_share(const Entry& e) {
  return is_scheduled(e)
             ? static_cast<double>(e.late_starts) / static_cast<double>(e.intended.count())
             : 0.0;
}

std::optional<double> dropped_share(std::uint64_t dropped, std::uint64_t started) {
  const std::uint64_t due = dropped + started;
  if (due == 0) return std::nullopt;
  return static_cast<double>(dropped) / static_cast<double>(due);
}

}  // namespace arrload::stats
