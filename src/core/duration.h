#pragma once
// Parsing of human durations as Locust accepts them: "90s", "10m", "1h30m", "500ms", "2.5s", "30".
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace arrload::core {

// Parses DURATION. A bare number means seconds. Units: ms, s, m, h, d; several may be chained
// ("1h30m"). Returns nullopt for anything else (empty, negative, unknown unit, trailing junk).
std::optional<std::chrono::microseconds> parse_duration(std::string_view text);

// Formats D compactly for messages and tables: "1h30m", "90s" -> "1m30s", "0.5s", "250ms".
std::string format_duration(std::chrono::microseconds d);

}  // namespace arrload::core
