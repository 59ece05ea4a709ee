#pragma once
// Locust's `--json` output: the final statistics as the list of stats entries Locust prints on
// stdout (`json.dumps(stats.serialize_stats(), indent=4)`), built from the run's snapshots.
#include <string>

#include "cluster/locust_stats.h"
#include "cluster/value.h"
#include "stats/snapshot.h"

namespace arrload::cli {

// Collects a run's snapshots and prints them as Locust's `--json` does. Not thread-safe: feed it
// from the run's control thread.
class LocustJson {
 public:
  // Every per-second snapshot of the run, then its final one.
  void observe(const stats::Snapshot& snap) { reporter_.observe(snap); }
  // The JSON text (ending in a newline): one object per endpoint that had requests or failures,
  // with Locust's fields (name, method, last_request_timestamp, start_time, num_requests,
  // num_none_requests, num_failures, total_response_time, max_response_time, min_response_time,
  // total_content_length, response_times, num_reqs_per_sec, num_fail_per_sec); times in ms,
  // response_times keyed by Locust's rounded ms, the per-second counts by Unix second.
  // NOW_UNIX: the end of the run. Call once.
  std::string finish(double now_unix);

 private:
  cluster::LocustReporter reporter_;
};

// VALUE as Python's json.dumps(VALUE, indent=4) writes it: keys turned into strings, floats in
// their shortest round-trip form with a ".0" when integral, None as null, empty containers as
// [] and {}. Not for binary values (written as strings).
std::string python_json(const cluster::Value& value);

}  // namespace arrload::cli
