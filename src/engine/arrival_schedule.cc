#include "engine/arrival_schedule.h"

#include <cmath>

namespace arrload::engine {

ArrivalSchedule::ArrivalSchedule(const scenario::Arrival& arrival, double scale) {
  if (arrival.stages.empty()) {
    pieces_.push_back({0, -1, arrival.rate * scale, arrival.rate * scale, 0});
    return;
  }
  double t = 0, n = 0, r = arrival.start_rate * scale;
  for (const scenario::ArrivalStage& st : arrival.stages) {
    Piece p{t, static_cast<double>(st.duration.count()) / 1e6, r, st.rate * scale, n};
    pieces_.push_back(p);
    t += p.seconds;
    n += p.count();
    r = p.r1;
  }
}

std::optional<double> ArrivalSchedule::total() const {
  if (pieces_.empty() || pieces_.back().seconds < 0) return std::nullopt;
  return pieces_.back().n0 + pieces_.back().count();
}

std::optional<std::int64_t> ArrivalSchedule::start_us(std::uint64_t n, std::size_t& cursor) const {
  const double want = static_cast<double>(n);
  for (; cursor < pieces_.size(); ++cursor) {
    const Piece& p = pieces_[cursor];
    const bool endless = p.seconds < 0;
    if (!endless && want >= p.n0 + p.count()) continue;  // due in a later piece
    // Solve r0·τ + (r1 − r0)/(2d)·τ² = m for τ in [0, d]; written as 2m / (r0 + √(r0² + 4am))
    // so that a nearly flat ramp (a → 0) loses no precision.
    const double m = want - p.n0;
    double tau = 0;
    if (m > 0) {
      const double a = endless ? 0 : (p.r1 - p.r0) / (2 * p.seconds);
      const double disc = std::max(0.0, p.r0 * p.r0 + 4 * a * m);
      const double denom = p.r0 + std::sqrt(disc);
      if (!(denom > 0)) continue;  // a zero rate: nothing starts in this piece
      tau = 2 * m / denom;
      if (!endless) tau = std::min(tau, p.seconds);
    }
    return static_cast<std::int64_t>(std::llround((p.t0 + tau) * 1e6));
  }
  return std::nullopt;
}

}  // namespace arrload::engine
