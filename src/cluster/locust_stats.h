#pragma once
// Locust's `stats` report from the engine's snapshots.
//
// A Locust worker sends, every 3 s, what it recorded since its previous report: per endpoint the
// counters, the response times rounded into Locust's buckets, requests and failures per Unix
// second, plus the grouped errors and its user counts (../shared/locust-protocol.md, "Stats
// entry"). The engine instead hands out a cumulative stats::Snapshot once a second. This class
// turns the sequence of snapshots into those deltas: the reports of one run add up exactly to its
// final snapshot (requests, failures, bytes, response-time sums, bucket counts, errors).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cluster/value.h"
#include "stats/snapshot.h"

namespace arrload::cluster {

// The key under which Locust files a response time of US microseconds: below 100 ms the nearest
// millisecond, below 1 s the nearest 10 ms, below 10 s the nearest 100 ms, else the nearest
// second (ties to even, as Python's round()).
std::int64_t locust_rounded_ms(std::uint64_t us);

// Requests and failures reported, per endpoint and in all, for the worker's closing log line.
struct ReportedTotals {
  std::map<stats::EndpointKey, std::uint64_t> requests;
  std::map<stats::EndpointKey, std::uint64_t> failures;
  std::uint64_t all_requests = 0;
  std::uint64_t all_failures = 0;
};

// Not thread-safe: the worker serialises observe() (the run's control thread) and report() (its
// protocol thread) with a mutex.
class LocustReporter {
 public:
  // A run begins: its snapshots count from zero. What earlier runs observed and did not report
  // yet stays pending.
  void start_run();
  // Takes in SNAP, the newest cumulative snapshot of the current run (every second, and the
  // run's final snapshot). SNAP.last_second gives the per-second counts.
  void observe(const stats::Snapshot& snap);
  // The data of a `stats` message: everything observed since the previous report, then forgets
  // it. NOW_UNIX: the report's time (the next report's start_time).
  Value report(double now_unix);

  // The user counts the next reports carry (observe() sets them from each snapshot; a worker
  // whose run ended sets them to zero).
  void set_users(std::vector<std::pair<std::string, std::uint64_t>> per_class);

  // Everything reported so far, over all runs.
  const ReportedTotals& reported() const { return reported_; }

 private:
  // What the previous snapshot of this run held for one endpoint (cumulative).
  struct Seen {
    std::uint64_t requests = 0;
    std::uint64_t failures = 0;
    std::uint64_t bytes = 0;
    std::uint64_t sum_us = 0;
    std::map<std::int64_t, std::uint64_t> buckets;  // Locust key -> count
  };
  // Not reported yet, for one endpoint.
  struct Pending {
    std::uint64_t requests = 0;
    std::uint64_t failures = 0;
    std::uint64_t bytes = 0;
    std::uint64_t sum_us = 0;
    std::uint64_t min_us = 0;  // of the run so far (Locust's master keeps the minimum anyway)
    std::uint64_t max_us = 0;
    double last_request = 0;  // Unix s of the newest snapshot that brought requests; 0: none
    std::map<std::int64_t, std::uint64_t> buckets;
    std::map<std::int64_t, std::uint64_t> requests_per_second;
    std::map<std::int64_t, std::uint64_t> failures_per_second;
  };

  void fold(const stats::EndpointStats& e, double taken_unix, Seen& seen, Pending& pending);
  Value entry(const stats::EndpointKey& key, const Pending& p) const;

  std::map<stats::EndpointKey, Seen> seen_;
  Seen seen_total_;
  struct ErrorLess {
    bool operator()(const stats::ErrorKey& a, const stats::ErrorKey& b) const;
  };
  std::map<stats::ErrorKey, std::uint64_t, ErrorLess> seen_errors_;  // this run, cumulative
  std::map<stats::EndpointKey, Pending> pending_;
  Pending pending_total_;
  std::map<stats::ErrorKey, std::uint64_t, ErrorLess> pending_errors_;
  std::vector<std::pair<std::string, std::uint64_t>> users_per_class_;
  std::uint64_t user_count_ = 0;
  double report_start_ = 0;  // Unix s: the previous report, or the first observed run's start
  ReportedTotals reported_;
};

}  // namespace arrload::cluster
