#pragma once
// Small string helpers shared by the HTTP client and the target.
#include <cctype>
#include <string>
#include <string_view>

namespace arrload::core {

// ASCII case-insensitive equality, for HTTP header and method names.
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// An ASCII lower-case copy of S.
inline std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace arrload::core
