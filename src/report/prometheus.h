#pragma once
// The Prometheus text exposition format (version 0.0.4) of a run's statistics: what GET /metrics
// answers on the web UI's port and on --prometheus-port. Like the other report writers, a function
// of a stats::Snapshot plus plain data, so a local run, a cluster worker (its own numbers) and a
// master (the merged numbers) export alike. docs/prometheus.md lists the metrics.
//
// Counters are the snapshot's `total` entries: cumulative since the run's start, never reset by
// the per-second ticks. A statistics reset (the web UI's "Reset stats", --reset-stats) and a new
// run start them again from zero, which Prometheus's rate() and increase() take as a counter reset
// (as after a restart); arrload_stats_start_time_seconds moves to the reset's time.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stats/histogram.h"
#include "stats/snapshot.h"

namespace arrload::report {

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// Per endpoint, the error messages after this many distinct ones (in the order they were first
// seen) are counted under error="other", so a target that puts ids in its error texts cannot
// grow the series without bound.
inline constexpr std::size_t kMaxErrorLabels = 10;
// An error label longer than this (bytes) is cut at a UTF-8 character boundary and ends in "...".
inline constexpr std::size_t kMaxErrorLabelBytes = 160;

// The run's lifecycle as arrload_run_state shows it.
inline constexpr std::string_view kRunStates[] = {"ready", "spawning", "running", "stopping",
                                                  "stopped"};

// What the exposition says beside the statistics; what is unknown is left out.
struct MetricsInfo {
  std::string state;                                    // one of kRunStates; "" = not exported
  std::optional<double> process_cpu_seconds;            // this process's CPU time so far, s
  std::optional<std::uint64_t> process_resident_bytes;  // this process's resident memory
  std::optional<double> generator_cpu_cores;            // self-check: CPU over the last second,
                                                        // in cores (1 = one core busy)
  std::optional<double> generator_cores;                // cores the process may run on
  std::optional<double> generator_tick_lag_seconds;     // how late the 1 s tick fired
  std::optional<bool> generator_saturated;              // the self-check's verdict
  std::optional<std::uint64_t> target_resident_bytes;   // newest sample of the target's RSS
};

// The response-time buckets' upper bounds, microseconds, increasing. Each is the highest value of
// one stats::Histogram bucket (bucket_index(b + 1) == bucket_index(b) + 1), so the cumulative
// count at it is a sum of whole buckets: exact, and the same list on every node of a cluster.
const std::vector<std::uint64_t>& response_time_bounds_us();

// An `le` label value: BOUND_US in seconds, exactly (at most 6 decimals, no trailing zeros).
std::string le_label(std::uint64_t bound_us);

// Cumulative counts of H at each of response_time_bounds_us() (without +Inf, which is
// H.count()).
std::vector<std::uint64_t> cumulative_buckets(const stats::Histogram& h);

// The exposition. SNAP may be null (no run yet): then only INFO's lines. Of each endpoint only
// the `total` entry is read.
std::string prometheus_text(const stats::Snapshot* snap, const MetricsInfo& info);

// A copy of SNAP with what prometheus_text reads: the endpoints' `total` entries (not the recent
// window nor the last second), the errors, users and iteration counts. Cheaper to keep around.
stats::Snapshot metrics_view(const stats::Snapshot& snap);

}  // namespace arrload::report
