#pragma once
// Merges the worker threads' shard deltas into run-wide statistics and produces Snapshots.
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <unordered_map>

#include "core/clock.h"
#include "stats/delta.h"
#include "stats/snapshot.h"

namespace arrload::stats {

class Aggregator {
 public:
  // START_MONO is the monotonic start of the run (core::now_us()); START_UNIX the same moment
  // on the wall clock.
  Aggregator(core::Micros start_mono, double start_unix);
  Aggregator(const Aggregator&) = delete;
  Aggregator& operator=(const Aggregator&) = delete;

  // Adds a worker's delta. Thread-safe; called by each worker about once a second.
  void absorb(ShardDelta delta);

  // Adds another node's samples, decoded lean (a cluster master). Thread-safe.
  void absorb(const LeanDelta& delta);

  // TAP sees every delta absorb() takes, just before it is taken in, on the absorbing thread
  // (several threads at once: it must be thread-safe). Set it before the first absorb().
  void set_tap(std::function<void(const ShardDelta&)> tap) { tap_ = std::move(tap); }

  // Closes the current one-second interval: what was absorbed since the previous tick becomes
  // the newest second of the recent window. Called by the control thread once a second, and
  // once more before the final snapshot. Thread-safe.
  void tick();

  // The statistics as of now. Thread-safe. NOW_MONO/NOW_UNIX are the snapshot's moment.
  Snapshot snapshot(core::Micros now_mono, double now_unix) const;

  // Forgets everything (Locust's --reset-stats and /stats/reset); the start moves to NOW.
  void reset(core::Micros now_mono, double now_unix);

 private:
  using EntryMap = std::map<EndpointKey, Entry>;
  mutable std::mutex mu_;
  core::Micros start_mono_;
  double start_unix_;
  EntryMap total_;                // since start
  EntryMap pending_;              // absorbed since the last tick
  std::deque<EntryMap> seconds_;  // the last kRecentWindowSeconds closed seconds, newest last
  std::unordered_map<ErrorKey, ErrorCount, ErrorKeyHash> errors_;
  std::function<void(const ShardDelta&)> tap_;
  std::uint64_t dropped_ = 0;    // open-model iterations not started, since start
  std::uint64_t scheduled_ = 0;  // open-model iterations started, since start
};

}  // namespace arrload::stats
