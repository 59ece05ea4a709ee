#pragma once
// An immutable picture of the run's statistics at one moment. Every report (console, CSV, JSON)
// is written from a Snapshot; the final reports all come from one frozen final Snapshot.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "stats/entry.h"
#include "stats/shard.h"

namespace arrload::stats {

// One row of the stats table.
struct EndpointStats {
  EndpointKey key;                  // the Aggregated row has method "" and name "Aggregated"
  Entry total;                      // everything since the start (or the last reset)
  Entry recent;                     // the last kRecentWindowSeconds completed seconds
  Entry last_second;                // the newest completed second (what the last tick closed)
  double current_rps = 0;           // requests/s over the recent window
  double current_fail_per_sec = 0;  // failures/s over the recent window
  bool operator==(const EndpointStats&) const = default;
};

struct Snapshot {
  static constexpr int kRecentWindowSeconds = 10;

  double start_unix = 0;  // wall time the stats started (run start or last reset), Unix s
  double taken_unix = 0;  // wall time of this snapshot, Unix s
  double elapsed_s = 0;   // monotonic seconds from start to this snapshot
  // Seconds the recent window covers (the current rates are its counts divided by this);
  // 0 when unknown.
  double recent_window_s = 0;
  std::vector<EndpointStats> endpoints;                 // sorted by (name, method), Locust's order
  EndpointStats aggregated;                             // exact merge of all endpoints
  std::vector<std::pair<ErrorKey, ErrorCount>> errors;  // most frequent first

  // Filled by the engine, which knows the users; the stats module leaves them empty.
  std::uint64_t user_count = 0;
  std::uint64_t peak_user_count = 0;  // the most users running at once so far
  std::vector<std::pair<std::string, std::uint64_t>> users_per_class;  // class name -> users
  // Errors in the user's own scenario logic (not request failures), Locust's exceptions.csv:
  // message -> count, most frequent first.
  std::vector<std::pair<std::string, std::uint64_t>> exceptions;
  // Iterations an open-model schedule was due to start but could not (no free user), since the
  // start; 0 in a closed-model run (filled by the engine, like the users).
  std::uint64_t dropped_iterations = 0;
  // Iterations an open-model schedule started (on time or late), since the start; with
  // dropped_iterations, what the schedule asked for.
  std::uint64_t scheduled_iterations = 0;

  // Adds OTHER, the snapshot of another node (a cluster worker) taken at the same moment over
  // the same span, so that merging every node's snapshot gives the one a single process would
  // have taken of all their requests. Exact for the endpoint rows (entries merged, rows united
  // and kept in Locust's order, current rates recomputed from the merged recent window as the
  // Aggregator computes them; summed when recent_window_s is unknown), errors (occurrences summed,
  // first/last seen spanned), exceptions, users, users per class and dropped iterations (summed).
  // start_unix is the earliest, taken_unix and elapsed_s the latest. peak_user_count is summed, an
  // upper bound: the nodes' peaks need not have been at the same moment.
  void merge(const Snapshot& other);

  // Field by field (histograms bucket by bucket).
  bool operator==(const Snapshot&) const = default;

  // Whole-run averages, Locust's "Requests/s" and "Failures/s" columns.
  double total_rps(const EndpointStats& e) const;
  double total_fail_per_sec(const EndpointStats& e) const;
  // Failures / requests over the whole run, 0 when there were no requests.
  double fail_ratio() const;
};

// Sorts ERRORS most frequent first, ties by (method, name, message): the Snapshot's order.
void sort_errors_by_frequency(std::vector<std::pair<ErrorKey, ErrorCount>>& errors);

}  // namespace arrload::stats
