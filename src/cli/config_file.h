#pragma once
// Options from a Locust-style config file (--config FILE, like locust.conf) and from ARRLOAD_*
// environment variables, turned into command-line tokens. Precedence, as in Locust:
// config file < environment < command line.
#include <string>
#include <vector>

namespace arrload::cli {

// Reads PATH: "key = value" lines, '#' or ';' comments, [sections] ignored, keys are long option
// names without "--" ("spawn-rate = 5", "headless = true"). Returns tokens like
// {"--spawn-rate", "5", "--headless"}; "false" values drop a flag. Keys whose ARRLOAD_ variable
// is set are skipped (the environment wins). Throws std::runtime_error "PATH:LINE: ..." on a
// malformed line or an unreadable file.
std::vector<std::string> config_file_tokens(const std::string& path);

// The environment variable for a long option name: "spawn-rate" -> "ARRLOAD_SPAWN_RATE".
std::string env_name(const std::string& long_name);

}  // namespace arrload::cli
