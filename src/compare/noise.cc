#include "compare/noise.h"

#include <algorithm>
#include <cmath>

namespace arrload::compare {

Interval quantile_interval(const Distribution& d, double q, double z) {
  const double n = static_cast<double>(d.samples);
  // In quantile terms the rank interval n·q ± z·sqrt(n·q·(1−q)) is q ± z·sqrt(q(1−q)/n); one
  // rank at least, so the extremes (q near 0 or 1) keep some width.
  const double half = std::max(z * std::sqrt(q * (1 - q) / n), 1 / n);
  return Interval{d.at(std::max(0.0, q - half)), d.at(std::min(1.0, q + half))};
}

bool quantiles_differ(const Distribution& a, const Distribution& b, double q, double z) {
  if (a.samples == 0 || b.samples == 0) return false;
  const Interval x = quantile_interval(a, q, z);
  const Interval y = quantile_interval(b, q, z);
  return x.hi < y.lo || y.hi < x.lo;
}

double mean_noise(const Distribution& a, const Distribution& b, double z) {
  if (a.samples == 0 || b.samples == 0) return 0;
  const double sa = a.stddev(), sb = b.stddev();
  return z * std::sqrt(sa * sa / static_cast<double>(a.samples) +
                       sb * sb / static_cast<double>(b.samples));
}

double rate_noise(std::uint64_t f1, std::uint64_t n1, std::uint64_t f2, std::uint64_t n2,
                  double z) {
  if (n1 == 0 || n2 == 0) return 0;
  const double a = static_cast<double>(n1), b = static_cast<double>(n2);
  const double p = static_cast<double>(f1 + f2) / (a + b);
  return z * std::sqrt(p * (1 - p) * (1 / a + 1 / b));
}

double throughput_noise(std::uint64_t n1, double d1, std::uint64_t n2, double d2, double z) {
  if (d1 <= 0 || d2 <= 0) return 0;
  return z * std::sqrt(static_cast<double>(n1) / (d1 * d1) + static_cast<double>(n2) / (d2 * d2));
}

}  // namespace arrload::compare
