#pragma once
// The run over time, kept in memory for the HTML report's charts: a few numbers per second
// (users, request and failure rates, response-time percentiles of the recent window, the
// generator's CPU), appended
// from the run's once-a-second hook. Bounded: past max_points, every other point is dropped and
// only every second later snapshot is kept, so a day-long run costs the same as a short one.
#include <cstddef>
#include <vector>

#include "stats/snapshot.h"

namespace arrload::report {

struct HistoryPoint {
  double t_s = 0;                             // seconds since the run started (origin_unix())
  double unix_s = 0;                          // wall time (Snapshot::taken_unix)
  double users = 0;                           // users running
  double rps = 0;                             // requests/s over the recent window
  double fail_per_s = 0;                      // failures/s over the recent window
  bool has_latency = false;                   // false when the recent window recorded no request
  double p50_ms = 0, p95_ms = 0, p99_ms = 0;  // of the recent window (Aggregated row)
  double generator_cpu = -1;                  // arrload's own CPU, % of one core; < 0: unknown
};

class History {
 public:
  // MAX_POINTS >= 4: the most points kept.
  explicit History(std::size_t max_points = 1200);

  // Appends a point for SNAP (its Aggregated row). Times are wall-clock seconds since the start
  // of the first snapshot's stats, so --reset-stats does not restart the axis. A snapshot at the
  // same or an earlier time than the last point is ignored, except with FORCE (the final
  // snapshot), which then replaces the last point; FORCE also bypasses the thinning stride so the
  // charts end where the run ended. GENERATOR_CPU: this process's CPU over the last second, in %
  // of one core (< 0: not measured).
  void append(const stats::Snapshot& snap, bool force = false, double generator_cpu = -1);

  const std::vector<HistoryPoint>& points() const { return points_; }
  // How many appended snapshots one kept point stands for (1 until the first thinning).
  std::size_t stride() const { return stride_; }

  // Unix seconds of t_s == 0 (0 before the first append).
  double origin_unix() const { return origin_unix_; }

  static HistoryPoint point_of(const stats::Snapshot& snap);

 private:
  std::size_t max_points_;
  double origin_unix_ = 0;
  std::size_t stride_ = 1;
  std::size_t skipped_ = 0;  // snapshots skipped since the last kept one
  std::vector<HistoryPoint> points_;
};

}  // namespace arrload::report
