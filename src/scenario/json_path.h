#pragma once
// Extraction of one value from a JSON response body by a small JSONPath subset:
//   $                  the whole document
//   .field             a member of an object (any characters except '.' and '[')
//   ["field name"]     a member whose name needs quoting ('single' quotes work too)
//   [N], [-1]          an array element; negative counts from the end
//   [*]                a random element of the array
// Example: "$.series[*].id" picks the id of a random series.
#include <optional>
#include <string>
#include <string_view>

#include "core/rng.h"

namespace arrload::scenario {

// Returns the value at PATH in BODY: strings without quotes, numbers and booleans as JSON text,
// objects and arrays as compact JSON. nullopt when BODY is not JSON, PATH does not match (missing
// member, index out of range, empty array for [*], wrong type), the value is null, or PATH is
// malformed. RNG picks the element for [*]. Thread-compatible; allocates.
std::optional<std::string> extract_json(std::string_view body, std::string_view path,
                                        core::Rng& rng);

// Throws std::invalid_argument describing the first syntax error in PATH, for load-time checks.
void validate_json_path(std::string_view path);

}  // namespace arrload::scenario
