#pragma once
// What `arrload --version` prints. Defined in the build's generated/version.cc (from
// src/cli/version.cc.in), the one object that changes with the git commit, so a new commit
// recompiles one file and ccache keeps every other object.
#include <string>

namespace arrload::cli {

// The release, e.g. "0.1.0" (CMake's project version, also ARRLOAD_VERSION).
const char* version();

// The git commit the binary was built from: 12 hex digits, with "-dirty" when the checkout had
// uncommitted changes; "unknown" when built outside a git checkout.
const char* git_commit();

// "arrload 0.1.0 (commit 0123456789ab)": the line `arrload --version` prints.
std::string version_line();

}  // namespace arrload::cli
