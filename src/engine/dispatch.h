#pragma once
// Which user class each new user belongs to, in Locust's deterministic order.
//
// Locust fills fixed_count classes first, then cycles the weighted classes with a smooth
// weighted round-robin over weights normalised so the smallest is 2; classes are considered in
// name order. So weights 5:1 give AAABAAAAABAA..., and 100 users at 40/30/20/5/3/2 give exactly
// 40/30/20/5/3/2. The N-th user's class depends only on N, so removing the newest users (ramp-down)
// leaves the same distribution as spawning that many from scratch.
#include <cstddef>
#include <string>
#include <vector>

#include "scenario/model.h"

namespace arrload::engine {

struct ClassWeight {
  std::string name;
  int weight = 1;        // >= 0; classes of weight 0 and no fixed count never spawn
  int fixed_count = -1;  // >= 0 for a fixed-count class, -1 otherwise
};

// The weights of SUITE's classes, in suite order; classes not in ALLOWED (when non-empty) get
// none (a shape stage's class list), and so do arrival-rate classes (they have their own pools).
std::vector<ClassWeight> class_weights(const scenario::Suite& suite,
                                       const std::vector<std::string>& allowed = {});

class ClassDispatcher {
 public:
  // CLASSES in any order; indices returned by next() refer to this vector.
  explicit ClassDispatcher(std::vector<ClassWeight> classes);

  // The class index of user number N (0-based); -1 when no class can take users (all weights 0
  // and every fixed count reached).
  int class_of(std::size_t n) const;

  // Class indices of the first N users.
  std::vector<int> first(std::size_t n) const;

 private:
  static std::vector<int> smooth_cycle(const std::vector<std::pair<int, int>>& index_weight);
  std::vector<int> fixed_prefix_;  // fixed-count users, interleaved
  std::vector<int> cycle_;         // one period of the weighted cycle
};

}  // namespace arrload::engine
