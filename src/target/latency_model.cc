#include "target/latency_model.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "core/rng.h"

namespace arrload::target {

QuantileCurve::QuantileCurve(std::initializer_list<std::pair<double, double>> points)
    : points_(points) {}

double QuantileCurve::at(double p) const {
  p = std::clamp(p, 0.0, 1.0);
  for (std::size_t i = 1; i < points_.size(); ++i) {
    const auto [p0, v0] = points_[i - 1];
    const auto [p1, v1] = points_[i];
    if (p <= p1) return p1 > p0 ? v0 + (v1 - v0) * (p - p0) / (p1 - p0) : v1;
  }
  return points_.back().second;
}

double QuantileCurve::draw() const { return at(unit_random()); }

const QuantileCurve& chat_latency() {
  static const QuantileCurve curve{
      {0.0, 500}, {0.5, 1500}, {0.95, 3000}, {0.99, 5000}, {1.0, 9000}};
  return curve;
}

double audit_latency_ms(int services, bool web_search) {
  const double base = 3000.0 + 2500.0 * services;
  const double jitter = 0.8 + 0.4 * unit_random();
  return base * jitter + (web_search ? 4000.0 : 0.0);
}

double unit_random() {
  // Seeded per thread from the clock and the thread: latency draws need no reproducibility.
  thread_local core::Rng rng(
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
      reinterpret_cast<std::uintptr_t>(&rng));
  return rng.uniform();
}

}  // namespace arrload::target
