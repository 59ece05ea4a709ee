#pragma once
// Latency distributions for the target's slow routes, in milliseconds before
// Options::latency_scale. A QuantileCurve is the inverse of a distribution's CDF, given at a few
// points and linear between them: the documented quantiles come out exactly, with no tuning of
// a parametric family. Draws use a per-thread generator; any thread may call them.
#include <initializer_list>
#include <utility>
#include <vector>

namespace arrload::target {

class QuantileCurve {
 public:
  // POINTS: (probability, value) pairs, probabilities rising from 0 to 1, values not falling.
  QuantileCurve(std::initializer_list<std::pair<double, double>> points);

  // The value at probability P in [0, 1].
  double at(double p) const;
  // A draw: at() of a uniform probability from this thread's generator.
  double draw() const;

 private:
  std::vector<std::pair<double, double>> points_;
};

// POST /api/v1/chat/message: p50 1.5 s, p95 3 s, p99 5 s (the LLM figures AutoArr documents),
// at least 0.5 s, at most 9 s.
const QuantileCurve& chat_latency();

// POST /api/v1/config/audit for SERVICES backends: about 3 s plus 2.5 s per service (10-15 s for
// all four, as documented on small hardware), +-20%, plus 4 s with web search.
double audit_latency_ms(int services, bool web_search);

// A uniform draw in [0, 1) from this thread's generator.
double unit_random();

}  // namespace arrload::target
