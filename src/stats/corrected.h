#pragma once
// The statistics corrected for coordinated omission, as the reports and the budgets read them.
//
// A scheduled request (an arrival-rate class, a constant_pacing or constant_throughput wait) has
// an intended start; its corrected response time runs from there (Entry::intended). An endpoint
// that recorded no scheduled sample had nothing to start late: its corrected times are its service
// times. An endpoint that recorded any: its corrected times are its `intended` histogram alone
// (requests of the same endpoint from an unscheduled class cannot be told apart in `latency`).
// The Aggregated row's corrected times are every endpoint's corrected times merged.
#include <cstdint>
#include <optional>
#include <vector>

#include "stats/entry.h"
#include "stats/snapshot.h"

namespace arrload::stats {

// Whether E recorded any scheduled sample (synthesised ones included).
inline bool is_scheduled(const Entry& e) { return e.intended.count() > 0; }

// E's response times corrected for coordinated omission: `intended` when it is scheduled, else
// `latency`. The reference lives as long as E.
const Histogram& corrected_latency(const Entry& e);

// Whether any endpoint of SNAP recorded a scheduled sample, or an open-model iteration was
// dropped: whether the run has corrected figures to report.
bool has_schedule(const Snapshot& snap);

// The Aggregated row's corrected response times over the span SPAN selects (&EndpointStats::total,
// ::recent, ::last_second): corrected_latency of every endpoint row in SNAP, merged.
Histogram aggregated_corrected_latency(const Snapshot& snap,
                                       Entry EndpointStats::*span = &EndpointStats::total);

// Late starts / scheduled samples of E (a fraction); 0 when E is not scheduled.
double late_start_share(const Entry& e);

// Dropped iterations / iterations due (started on schedule + dropped), a fraction; nullopt when
// nothing was due (a closed-model run).
std::optional<double> dropped_share(std::uint64_t dropped, std::uint64_t started);

}  // namespace arrload::stats
