#pragma once
// What one node recorded over a span of time: the unit a cluster worker reports (every few
// seconds, then once more at the end) and a master merges. Encoded by stats/codec.h.
//
// A Delta is built from the ShardDeltas the node's worker threads hand over (add()), and merges
// exactly: merging the Deltas of two nodes gives, field for field, the Delta one node would have
// built from both nodes' samples (counters, sums, min, max, every histogram bucket, the per-second
// counts, error occurrences and first/last seen, exception counts). Keys are kept sorted, so two
// equal Deltas also encode to the same bytes. Not thread-safe.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "stats/entry.h"
#include "stats/shard.h"

namespace arrload::stats {

// Requests and failures that ended in one wall-clock second (Locust's num_reqs_per_sec and
// num_fail_per_sec).
struct SecondCounts {
  std::uint64_t requests = 0;
  std::uint64_t failures = 0;
  bool operator==(const SecondCounts&) const = default;
};

// One endpoint's share of a Delta.
struct EndpointDelta {
  Entry entry;                                      // everything recorded in the span
  std::map<std::int64_t, SecondCounts> per_second;  // Unix second -> counts; no empty second
  bool operator==(const EndpointDelta&) const = default;
};

// Orders ErrorKeys by method, name, message (for the sorted error table).
struct ErrorKeyLess {
  bool operator()(const ErrorKey& a, const ErrorKey& b) const;
};

struct Delta {
  std::map<EndpointKey, EndpointDelta> endpoints;       // by (name, method), Locust's order
  std::map<ErrorKey, ErrorCount, ErrorKeyLess> errors;  // grouped request failures
  std::map<std::string, std::uint64_t> exceptions;      // scenario errors: message -> count
  // Iterations an open-model schedule was due to start but could not (no free user); 0 in a
  // closed-model run.
  std::uint64_t dropped_iterations = 0;
  // Iterations an open-model schedule started (on time or late).
  std::uint64_t scheduled_iterations = 0;

  // Adds what a shard recorded (Shard::take()), its requests counted in UNIX_SECOND (the
  // second the shard was taken in: shards are taken about once a second).
  void add(const ShardDelta& shard, std::int64_t unix_second);
  // Adds COUNT occurrences of the scenario error MESSAGE.
  void add_exception(const std::string& message, std::uint64_t count = 1);
  // Adds everything in OTHER (another node's Delta, or a later span of this node's).
  void merge(const Delta& other);

  // The entries, errors and dropped iterations as an Aggregator absorbs them (per-second counts
  // and exceptions are not part of a ShardDelta).
  ShardDelta to_shard_delta() const;

  bool empty() const {
    return endpoints.empty() && errors.empty() && exceptions.empty() && dropped_iterations == 0 &&
           scheduled_iterations == 0;
  }
  bool operator==(const Delta&) const = default;
};

// A Delta as a cluster master merges it at once: each histogram kept as its bucket list
// (stats/codec.h decode_delta_lean), never built, so merging costs only the buckets it holds.
// Per-second counts are not kept (the master counts seconds as it absorbs).
struct LeanEntry {
  EndpointKey key;
  std::uint64_t num_requests = 0;
  std::uint64_t num_failures = 0;
  std::uint64_t content_bytes = 0;
  std::uint64_t late_starts = 0;
  std::uint64_t wire_bytes = 0;
  std::uint64_t redirects = 0;
  std::string category;
  HistogramState latency;
  HistogramState intended;
};
struct LeanDelta {
  std::vector<LeanEntry> endpoints;
  std::vector<std::pair<ErrorKey, ErrorCount>> errors;
  std::map<std::string, std::uint64_t> exceptions;
  std::uint64_t dropped_iterations = 0;
  std::uint64_t scheduled_iterations = 0;
};

// Adds COUNT into HAVE: occurrences summed, first_seen the earliest, last_seen the latest.
void merge_error_count(ErrorCount& have, const ErrorCount& count);

}  // namespace arrload::stats
