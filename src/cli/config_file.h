#pragma once
// Options from a Locust-style config file (--config FILE, like locust.conf) and from ARRLOAD_*
// environment variables, turned into command-line tokens. Precedence, as in Locust:
// config file < environment < command line.
#include <string>
#include <utility>
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

// Locust's name for the environment variable of an option whose ARRLOAD_ variable is ENV
// ("ARRLOAD_SPAWN_RATE" -> "LOCUST_SPAWN_RATE"), or Locust's own where it differs
// ("ARRLOAD_WORKER" -> "LOCUST_MODE_WORKER", "ARRLOAD_MASTER_HOST" -> "LOCUST_MASTER_NODE_HOST").
// LONG_NAMES: the option's long names (each gives a LOCUST_ name too: "locustfile").
std::vector<std::string> locust_env_names(const std::vector<std::string>& long_names);

// For each (ARRLOAD_ variable, Locust names) pair: when the ARRLOAD_ variable is unset and one of
// the LOCUST_ variables is set, sets the ARRLOAD_ one to its value, so LOCUST_* variables (as
// Locust's Helm chart and manifests set them) work and ARRLOAD_* ones win.
void import_locust_env(const std::vector<std::pair<std::string, std::vector<std::string>>>& vars);

}  // namespace arrload::cli
