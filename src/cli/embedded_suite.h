#pragma once
// The AutoArr suite (scenarios/autoarr/*.yaml), embedded in the binary at build time so
// `arrload demo` works from any directory.
#include <string>
#include <utility>
#include <vector>

namespace arrload::cli {

// {file name, YAML text} for each file of scenarios/autoarr, in name order.
std::vector<std::pair<std::string, std::string>> embedded_suite();

}  // namespace arrload::cli
