#pragma once
// Options from a Locust-style config file (--config FILE, like locust.conf) and from ARRLOAD_*
// environment variables, turned into command-line tokens. Precedence, as in Locust:
// config file < environment < command line.
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace arrload::cli {

// Whether a long option name (without "--") is one the command takes.
using KnownOption = std::function<bool(const std::string&)>;

// Reads PATH: "key = value" lines, '#' or ';' comments, [sections] ignored, keys are long option
// names without "--" ("spawn-rate = 5", "headless = true"). Returns tokens like
// {"--spawn-rate", "5", "--headless"}; "false" values drop a flag. Keys whose ARRLOAD_ variable
// is set are skipped (the environment wins). With KNOWN: a key it rejects that is a Locust option
// arrload does not take (is_locust_only) is skipped with a warning "PATH:LINE: ..." added to
// WARNINGS; Locust's web-auth becomes web-login. Throws std::runtime_error "PATH:LINE: ..." on a
// malformed line, an unknown key (with KNOWN) or an unreadable file.
std::vector<std::string> config_file_tokens(const std::string& path, const KnownOption& known = {},
                                            std::vector<std::string>* warnings = nullptr);

// Whether NAME (a long option without "--") is one of Locust's that arrload does not take
// (--equal-weights, --tls-cert, --skip-log-setup, the removed step-load options, ...).
bool is_locust_only(const std::string& name);

// Whether Locust's option NAME (is_locust_only) takes a value (--tls-cert FILE) rather than
// being a flag (--equal-weights).
bool locust_only_takes_value(const std::string& name);

// Removes from ARGS (command-line tokens) every Locust option arrload does not take (with KNOWN:
// those it does not know), with its value when it takes one; returns what was removed, one
// string per option ("--tls-cert cert.pem"), for a warning.
std::vector<std::string> drop_locust_only(std::vector<std::string>& args, const KnownOption& known);

// The config files Locust reads when they exist, in the order they apply (later wins):
// ~/.locust.conf (HOME), then ./locust.conf.
std::vector<std::string> default_config_files();

// The environment variable for a long option name: "spawn-rate" -> "ARRLOAD_SPAWN_RATE".
std::string env_name(const std::string& long_name);

// Locust's name for the environment variable of an option whose ARRLOAD_ variable is ENV
// ("ARRLOAD_SPAWN_RATE" -> "LOCUST_SPAWN_RATE"), or Locust's own where it differs
// ("ARRLOAD_WORKER" -> "LOCUST_MODE_WORKER", "ARRLOAD_MASTER_HOST" -> "LOCUST_MASTER_NODE_HOST",
// "ARRLOAD_WEB_LOGIN" -> "LOCUST_WEB_AUTH").
// LONG_NAMES: the option's long names (each gives a LOCUST_ name too: "locustfile").
std::vector<std::string> locust_env_names(const std::vector<std::string>& long_names);

// For each (ARRLOAD_ variable, Locust names) pair: when the ARRLOAD_ variable is unset and one of
// the LOCUST_ variables is set, sets the ARRLOAD_ one to its value, so LOCUST_* variables (as
// Locust's Helm chart and manifests set them) work and ARRLOAD_* ones win.
void import_locust_env(const std::vector<std::pair<std::string, std::vector<std::string>>>& vars);

}  // namespace arrload::cli
