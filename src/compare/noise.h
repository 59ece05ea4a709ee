#pragma once
// The run-to-run spread of a figure, estimated from the sample counts (docs/compare.md, "Noise").
// Every function answers whether a difference between a baseline and a new run could be chance
// alone, at about 95% confidence. Pure functions.
#include <cstdint>

#include "compare/run_data.h"

namespace arrload::compare {

// The normal quantile of the two-sided 95% intervals used throughout.
inline constexpr double kZ = 1.96;

struct Interval {
  double lo = 0;
  double hi = 0;
};

// The distribution-free confidence interval of D's quantile Q (ms): with n samples the rank of
// the Q-quantile lies within n·Q ± z·sqrt(n·Q·(1−Q)) (at least one rank either side), mapped
// back to times through D's known quantiles. REQUIRES: D.samples > 0.
Interval quantile_interval(const Distribution& d, double q, double z = kZ);

// Whether the Q-quantiles of A and B differ by more than chance: their intervals do not overlap.
// False when either has no samples.
bool quantiles_differ(const Distribution& a, const Distribution& b, double q, double z = kZ);

// The half-width (ms) of the interval of the difference of A's and B's means, from each one's
// standard deviation (Distribution::stddev) and sample count.
double mean_noise(const Distribution& a, const Distribution& b, double z = kZ);

// The half-width of the interval of the difference of two error rates F1/N1 and F2/N2 (a
// fraction), from their pooled rate (the two-proportion test). 0 when either N is 0.
double rate_noise(std::uint64_t f1, std::uint64_t n1, std::uint64_t f2, std::uint64_t n2,
                  double z = kZ);

// The half-width (requests/s) of the interval of the difference of two request rates, N1
// requests over D1 seconds and N2 over D2, the counts taken as Poisson. 0 when a length is 0.
double throughput_noise(std::uint64_t n1, double d1, std::uint64_t n2, double d2, double z = kZ);

}  // namespace arrload::compare
