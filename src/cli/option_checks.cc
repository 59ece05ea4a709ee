#include "cli/option_checks.h"

#include <exception>
#include <string>

#include <fmt/format.h>

namespace arrload::cli {

namespace {

// CLI11's own range checks print their bounds with the largest double in full (300 digits) and
// call any non-number "not in range"; these say what is wrong in words.
double number_in(const std::string& text) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty())
    throw CLI::ValidationError("'" + text + "' is not a number");
  return v;
}

// 65535, 0.1, 1000000: never 1e+06.
std::string plain(double v) {
  if (v == static_cast<double>(static_cast<long long>(v))) {
    return std::to_string(static_cast<long long>(v));
  }
  return fmt::format("{}", v);
}

}  // namespace

CLI::Validator positive() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        return number_in(text) > 0 ? "" : "must be greater than 0, not " + text;
      },
      "> 0", "positive");
}

CLI::Validator non_negative() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        return number_in(text) >= 0 ? "" : "must be 0 or more, not " + text;
      },
      ">= 0", "non-negative");
}

CLI::Validator in_range(double lo, double hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        const double v = number_in(text);
        if (v >= lo && v <= hi) return "";
        return fmt::format("must be between {} and {}, not {}", plain(lo), plain(hi), text);
      },
      plain(lo) + ".." + plain(hi), "in range");
}

}  // namespace arrload::cli
