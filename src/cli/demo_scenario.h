#pragma once
// The demo scenario (examples/demo.yaml), embedded in the binary at build time so
// `arrload demo` works from any directory.
#include <string_view>

namespace arrload::cli {

std::string_view demo_scenario_yaml();

}  // namespace arrload::cli
