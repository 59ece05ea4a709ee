#include "core/size.h"

#include <charconv>
#include <limits>

#include "core/strings.h"

namespace arrload::core {

std::optional<std::uint64_t> parse_size(std::string_view size) {
  std::uint64_t n = 0;
  const char* end = size.data() + size.size();
  auto [rest, ec] = std::from_chars(size.data(), end, n);
  if (ec != std::errc() || rest == size.data()) return std::nullopt;
  std::string_view unit(rest, static_cast<std::size_t>(end - rest));
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  struct Unit {
    std::string_view name;
    std::uint64_t factor;
  };
  static constexpr Unit kUnits[] = {{"", 1},
                                    {"b", 1},
                                    {"kb", 1000},
                                    {"mb", 1000000},
                                    {"gb", 1000000000},
                                    {"k", 1ull << 10},
                                    {"kib", 1ull << 10},
                                    {"m", 1ull << 20},
                                    {"mib", 1ull << 20},
                                    {"g", 1ull << 30},
                                    {"gib", 1ull << 30}};
  for (const Unit& u : kUnits) {
    if (!iequals(unit, u.name)) continue;
    if (n > std::numeric_limits<std::uint64_t>::max() / u.factor) return std::nullopt;
    return n * u.factor;
  }
  return std::nullopt;
}

}  // namespace arrload::core
