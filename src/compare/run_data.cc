#include "compare/run_data.h"

#include <algorithm>
#include <cmath>

namespace arrload::compare {

double Distribution::at(double q) const {
  if (points.empty()) return 0;
  if (q <= points.front().first) return points.front().second;
  if (q >= points.back().first) return points.back().second;
  auto hi =
      std::lower_bound(points.begin(), points.end(), q,
                       [](const std::pair<double, double>& p, double v) { return p.first < v; });
  auto lo = hi - 1;
  const double span = hi->first - lo->first;
  if (span <= 0) return hi->second;
  return lo->second + (hi->second - lo->second) * (q - lo->first) / span;
}

double Distribution::stddev() const {
  if (points.size() < 2) return 0;
  // Between two points the quantile function is linear, i.e. the values are uniform between
  // the two times: each segment contributes its share times E[X] and E[X^2] of a uniform.
  double mean = 0, second = 0;
  for (std::size_t i = 1; i < points.size(); ++i) {
    const double w = points[i].first - points[i - 1].first;
    const double a = points[i - 1].second, b = points[i].second;
    mean += w * (a + b) / 2;
    second += w * (a * a + a * b + b * b) / 3;
  }
  return std::sqrt(std::max(0.0, second - mean * mean));
}

std::string Endpoint::key() const { return method.empty() ? name : method + " " + name; }

double Endpoint::error_rate() const {
  return requests ? static_cast<double>(failures) / static_cast<double>(requests) : 0.0;
}

const Endpoint* RunData::find(const std::string& key) const {
  for (const Endpoint& e : endpoints) {
    if (e.key() == key) return &e;
  }
  return nullptr;
}

}  // namespace arrload::compare
