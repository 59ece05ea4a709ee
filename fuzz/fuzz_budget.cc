// Budget expressions and budgets files (src/budget/budget.h): "p95<500ms every 30s",
// "GET /api/v1/shows/:p99<1s", and the YAML file that holds them. The first byte picks which.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "budget/budget.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  using arrload::budget::BudgetError;
  try {
    switch (data[0] % 3) {
      case 0: {
        const auto t = arrload::budget::parse_threshold(text);
        (void)t.describe();
        (void)t.holds(1.0);
        break;
      }
      case 1: {
        const auto rule = arrload::budget::parse_rule(text, "--budget");
        (void)rule.threshold.describe();
        break;
      }
      default: {
        const auto budgets = arrload::budget::load_budgets_text(std::string(text), "budgets.yaml");
        for (const auto& r : budgets.rules) (void)r.threshold.describe();
        break;
      }
    }
  } catch (const BudgetError&) {
    // Refused with a message: what bad input must get.
  }
  return 0;
}
