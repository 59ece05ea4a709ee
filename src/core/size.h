#pragma once
// Parsing of byte sizes for options: "64MiB", "1GiB", "500KB", "1048576" (bytes).
#include <cstdint>
#include <optional>
#include <string_view>

namespace arrload::core {

// Parses SIZE: a whole number of bytes, optionally followed by a unit, with or without a space:
// B, KB/MB/GB (powers of 1000), KiB/MiB/GiB (powers of 1024), case-insensitive; "K", "M", "G"
// alone mean KiB, MiB, GiB. nullopt for anything else (empty, negative, fractional, unknown
// unit, overflow).
std::optional<std::uint64_t> parse_size(std::string_view size);

}  // namespace arrload::core
