#include "engine/dispatch.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace arrload::engine {

std::vector<ClassWeight> class_weights(const scenario::Suite& suite,
                                       const std::vector<std::string>& allowed) {
  std::vector<ClassWeight> out;
  for (const auto& c : suite.classes) {
    // Arrival-rate classes run their own pools, never users dealt by weight.
    const bool in = !c.arrival && (allowed.empty() || std::find(allowed.begin(), allowed.end(),
                                                                c.name) != allowed.end());
    out.push_back({c.name, in ? c.weight : 0, in ? c.fixed_count.value_or(-1) : 0});
  }
  return out;
}

ClassDispatcher::ClassDispatcher(std::vector<ClassWeight> classes) {
  std::vector<int> order(classes.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return classes[a].name < classes[b].name; });

  std::vector<std::pair<int, int>> fixed;
  std::vector<std::pair<int, int>> weighted;
  for (int i : order) {
    if (classes[i].fixed_count >= 0) {
      if (classes[i].fixed_count > 0) fixed.emplace_back(i, classes[i].fixed_count);
    } else if (classes[i].weight > 0) {
      weighted.emplace_back(i, classes[i].weight);
    }
  }
  // Fixed users come first, interleaved by their counts; each class stops at its count.
  if (!fixed.empty()) {
    std::vector<int> remaining(classes.size(), 0);
    int total = 0;
    for (auto [i, n] : fixed) remaining[i] = n, total += n;
    std::vector<int> period = smooth_cycle(fixed);
    while (total > 0) {
      for (int i : period) {
        if (remaining[i] > 0) {
          fixed_prefix_.push_back(i);
          --remaining[i];
          --total;
        }
      }
    }
  }
  cycle_ = smooth_cycle(weighted);
}

std::vector<int> ClassDispatcher::smooth_cycle(const std::vector<std::pair<int, int>>& items) {
  if (items.empty()) return {};
  // Normalise as Locust does: the smallest value becomes 2, which spreads near-equal weights.
  int smallest = std::min_element(items.begin(), items.end(), [](auto& a, auto& b) {
                   return a.second < b.second;
                 })->second;
  std::vector<long> weight;
  long total = 0;
  for (auto& [i, w] : items) {
    long n = std::lround(2.0 * w / smallest);
    weight.push_back(std::max(1L, n));
    total += weight.back();
  }
  // Smooth weighted round-robin (nginx's): add each weight, pick the largest (first on ties),
  // subtract the total from it. One period is `total` picks long.
  std::vector<long> current(items.size(), 0);
  std::vector<int> out;
  out.reserve(static_cast<std::size_t>(total));
  for (long step = 0; step < total; ++step) {
    std::size_t best = 0;
    for (std::size_t k = 0; k < items.size(); ++k) {
      current[k] += weight[k];
      if (current[k] > current[best]) best = k;
    }
    current[best] -= total;
    out.push_back(items[best].first);
  }
  return out;
}

int ClassDispatcher::class_of(std::size_t n) const {
  if (n < fixed_prefix_.size()) return fixed_prefix_[n];
  if (cycle_.empty()) return -1;
  return cycle_[(n - fixed_prefix_.size()) % cycle_.size()];
}

std::vector<int> ClassDispatcher::first(std::size_t n) const {
  std::vector<int> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    int c = class_of(i);
    if (c < 0) break;
    out.push_back(c);
  }
  return out;
}

}  // namespace arrload::engine
