#pragma once
// CLI11 checks for numeric options with messages in words ("must be between 1 and 65535, not
// 70000"), used by every subcommand's options. Internal to cli/.
#include <CLI/CLI.hpp>

namespace arrload::cli {

// A number > 0.
CLI::Validator positive();
// A number >= 0.
CLI::Validator non_negative();
// A number from LO to HI (both included); NAME: how --help shows the range.
CLI::Validator in_range(double lo, double hi);

}  // namespace arrload::cli
