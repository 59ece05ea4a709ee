#include "report/history.h"

#include <algorithm>

namespace arrload::report {

History::History(std::size_t max_points) : max_points_(std::max<std::size_t>(4, max_points)) {
  points_.reserve(max_points_ + 1);
}

HistoryPoint History::point_of(const stats::Snapshot& snap) {
  const stats::EndpointStats& a = snap.aggregated;
  HistoryPoint p;
  p.t_s = snap.elapsed_s;
  p.unix_s = snap.taken_unix;
  p.users = static_cast<double>(snap.user_count);
  p.rps = a.current_rps;
  p.fail_per_s = a.current_fail_per_sec;
  const stats::Histogram& h = a.recent.latency;
  p.has_latency = h.count() > 0;
  if (p.has_latency) {
    p.p50_ms = static_cast<double>(h.percentile(0.5)) / 1000.0;
    p.p95_ms = static_cast<double>(h.percentile(0.95)) / 1000.0;
    p.p99_ms = static_cast<double>(h.percentile(0.99)) / 1000.0;
  }
  return p;
}

void History::append(const stats::Snapshot& snap, bool force, double generator_cpu) {
  if (points_.empty() && origin_unix_ == 0) origin_unix_ = snap.taken_unix - snap.elapsed_s;
  const double t = snap.taken_unix - origin_unix_;
  if (!points_.empty() && t <= points_.back().t_s) {
    if (force) {
      const double cpu = generator_cpu >= 0 ? generator_cpu : points_.back().generator_cpu;
      points_.back() = point_of(snap);
      points_.back().t_s = t;
      points_.back().generator_cpu = cpu;
    }
    return;
  }
  if (!force && ++skipped_ < stride_) return;
  skipped_ = 0;
  if (points_.size() >= max_points_) {
    // Keep the even-indexed points (the first one included) and sample half as often from now.
    std::size_t kept = 0;
    for (std::size_t i = 0; i < points_.size(); i += 2) points_[kept++] = points_[i];
    points_.resize(kept);
    stride_ *= 2;
  }
  points_.push_back(point_of(snap));
  points_.back().t_s = t;
  points_.back().generator_cpu = generator_cpu;
}

}  // namespace arrload::report
