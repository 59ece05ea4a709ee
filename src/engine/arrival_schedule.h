#pragma once
// When the iterations of an arrival-rate class start.
//
// The schedule is the rate's integral: iteration n (0-based) starts at the moment t at which
// the iterations due so far, ∫₀ᵗ rate, reach n. A constant rate r gives t = n / r; a stage that
// ramps linearly from r0 to r1 over d seconds is a quadratic in t, solved exactly. So the starts
// follow the intended curve without drift, however many there are.
//
// Shares: a cluster's workers and a process's threads each take a disjoint share of the same
// schedule (k6's execution segments): share (index i, count k) takes iterations i, i + k,
// i + 2k, ... A worker's share split again among its threads stays disjoint and complete.
#include <cstdint>
#include <optional>
#include <vector>

#include "scenario/model.h"

namespace arrload::engine {

class ArrivalSchedule {
 public:
  // SCALE multiplies every rate (--arrival-rate); > 0.
  ArrivalSchedule(const scenario::Arrival& arrival, double scale);

  // The start of iteration N, in µs after the schedule's start; nullopt when the schedule ends
  // before it. CURSOR: a position kept by the caller between calls with rising N (start at 0),
  // so a long schedule costs O(1) per call.
  std::optional<std::int64_t> start_us(std::uint64_t n, std::size_t& cursor) const;

  // The iterations the whole schedule starts (nullopt: a constant rate never ends).
  std::optional<double> total() const;

 private:
  struct Piece {
    double t0 = 0;       // seconds from the start
    double seconds = 0;  // < 0: no end (a constant rate)
    double r0 = 0, r1 = 0;
    double n0 = 0;  // iterations due before the piece
    double count() const { return (r0 + r1) / 2 * seconds; }
  };
  std::vector<Piece> pieces_;
};

}  // namespace arrload::engine
