#include "core/duration.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

namespace arrload::core {

namespace {

// Microseconds per unit suffix, or 0 when the suffix is not a unit.
std::int64_t unit_micros(std::string_view unit) {
  if (unit == "ms") return 1'000;
  if (unit == "s" || unit.empty()) return 1'000'000;
  if (unit == "m") return 60'000'000;
  if (unit == "h") return 3'600'000'000LL;
  if (unit == "d") return 86'400'000'000LL;
  return 0;
}

}  // namespace

std::optional<std::chrono::microseconds> parse_duration(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  double total = 0;
  bool bare_number_seen = false;
  while (!text.empty()) {
    if (bare_number_seen) return std::nullopt;  // "30 5s": a unitless number must be alone
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data() || !std::isfinite(value) || value < 0) {
      return std::nullopt;
    }
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    std::size_t unit_len = 0;
    while (unit_len < text.size() && std::isalpha(static_cast<unsigned char>(text[unit_len]))) {
      ++unit_len;
    }
    std::string_view unit = text.substr(0, unit_len);
    std::int64_t per = unit_micros(unit);
    if (per == 0) return std::nullopt;
    if (unit.empty()) bare_number_seen = true;
    total += value * static_cast<double>(per);
    text.remove_prefix(unit_len);
  }
  if (total > 9.0e18) return std::nullopt;
  return std::chrono::microseconds(static_cast<std::int64_t>(std::llround(total)));
}

std::string format_duration(std::chrono::microseconds d) {
  std::int64_t us = d.count();
  if (us < 1'000'000) {
    if (us % 1'000 == 0) return fmt::format("{}ms", us / 1'000);
    return fmt::format("{}ms", static_cast<double>(us) / 1'000.0);
  }
  if (us % 1'000'000 != 0) return fmt::format("{}s", static_cast<double>(us) / 1e6);
  std::int64_t s = us / 1'000'000;
  std::string out;
  if (s >= 3600) out += fmt::format("{}h", s / 3600);
  if (s % 3600 >= 60) out += fmt::format("{}m", (s % 3600) / 60);
  if (s % 60 != 0 || out.empty()) out += fmt::format("{}s", s % 60);
  return out;
}

}  // namespace arrload::core
