#include "cli/config_file.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

namespace arrload::cli {

namespace {

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string unquote(std::string v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
    return v.substr(1, v.size() - 2);
  }
  return v;
}

}  // namespace

std::string env_name(const std::string& long_name) {
  std::string out = "ARRLOAD_";
  for (char c : long_name) {
    out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::vector<std::string> locust_env_names(const std::vector<std::string>& long_names) {
  // Locust's environment names that are not LOCUST_ + the option's name.
  static const std::pair<const char*, const char*> kLocustOwn[] = {
      {"master", "LOCUST_MODE_MASTER"},           {"worker", "LOCUST_MODE_WORKER"},
      {"master-host", "LOCUST_MASTER_NODE_HOST"}, {"master-port", "LOCUST_MASTER_NODE_PORT"},
      {"web-login", "LOCUST_WEB_AUTH"},
  };
  std::vector<std::string> out;
  for (const std::string& name : long_names) {
    for (const auto& [ours, theirs] : kLocustOwn) {
      if (name == ours) out.emplace_back(theirs);
    }
    out.push_back("LOCUST_" + env_name(name).substr(std::string_view("ARRLOAD_").size()));
  }
  return out;
}

void import_locust_env(const std::vector<std::pair<std::string, std::vector<std::string>>>& vars) {
  for (const auto& [ours, theirs] : vars) {
    if (std::getenv(ours.c_str()) != nullptr) continue;
    for (const std::string& name : theirs) {
      if (const char* value = std::getenv(name.c_str())) {
        ::setenv(ours.c_str(), value, /*overwrite=*/0);
        break;
      }
    }
  }
}

bool is_locust_only(const std::string& name) {
  // Locust 2.12.1's long options arrload has no counterpart for, and a few of later Locust's.
  static const char* const kLocustOnly[] = {
      "class-picker", "equal-weights",  "expect-slaves", "hatch-rate",    "headful",
      "print-stats",  "skip-log-setup", "skip-log",      "slave",         "step-clients",
      "step-load",    "step-time",      "step-users",    "tls-cert",      "tls-key",
      "processes",    "modern-ui",      "legacy-ui",     "web-base-path", "config-users"};
  for (const char* n : kLocustOnly) {
    if (name == n) return true;
  }
  return false;
}

bool locust_only_takes_value(const std::string& name) {
  static const char* const kValued[] = {"hatch-rate", "step-time",     "step-users",   "tls-cert",
                                        "tls-key",    "web-base-path", "config-users", "processes"};
  for (const char* n : kValued) {
    if (name == n) return true;
  }
  return false;
}

std::vector<std::string> drop_locust_only(std::vector<std::string>& args,
                                          const KnownOption& known) {
  std::vector<std::string> dropped;
  for (std::size_t i = 0; i < args.size();) {
    const std::string& a = args[i];
    const std::size_t eq = a.find('=');
    const std::string name =
        a.rfind("--", 0) == 0 ? a.substr(2, eq == std::string::npos ? eq : eq - 2) : "";
    if (name.empty() || !is_locust_only(name) || (known && known(name))) {
      ++i;
      continue;
    }
    std::size_t n = 1;
    if (eq == std::string::npos && locust_only_takes_value(name) && i + 1 < args.size()) n = 2;
    std::string shown;
    for (std::size_t k = i; k < i + n; ++k) shown += (shown.empty() ? "" : " ") + args[k];
    dropped.push_back(shown);
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(i),
               args.begin() + static_cast<std::ptrdiff_t>(i + n));
  }
  return dropped;
}

std::vector<std::string> default_config_files() {
  std::vector<std::string> out;
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    std::string dir = home;
    if (dir.back() != '/') dir += '/';
    out.push_back(dir + ".locust.conf");
  }
  out.emplace_back("locust.conf");
  return out;
}

std::vector<std::string> config_file_tokens(const std::string& path, const KnownOption& known,
                                            std::vector<std::string>* warnings) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw std::runtime_error(fmt::format("{}: is a directory, not a config file", path));
  }
  std::ifstream in(path);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot read the config file", path));
  std::vector<std::string> tokens;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';' || line[0] == '[') continue;
    std::size_t eq = line.find('=');
    if (eq == std::string::npos) {
      throw std::runtime_error(fmt::format(
          "{}:{}: expected 'option = value' (e.g. 'users = 30'), got '{}'", path, number, line));
    }
    std::string key = trim(line.substr(0, eq));
    std::string value = unquote(trim(line.substr(eq + 1)));
    if (key.rfind("--", 0) == 0) key = key.substr(2);
    for (char& c : key) c = c == '_' ? '-' : c;
    if (key.empty())
      throw std::runtime_error(fmt::format("{}:{}: missing option name", path, number));
    if (known && !known(key)) {
      if (key == "web-auth") {
        key = "web-login";  // the same USER:PASSWORD
      } else if (is_locust_only(key)) {
        if (warnings) {
          warnings->push_back(fmt::format(
              "{}:{}: '{}' is a Locust option arrload does not take; ignored", path, number, key));
        }
        continue;
      } else {
        throw std::runtime_error(
            fmt::format("{}:{}: unknown option '{}' (arrload run --help lists the options)", path,
                        number, key));
      }
    }
    if (key == "json" && value != "true" && value != "True" && value != "false" &&
        value != "False") {
      throw std::runtime_error(fmt::format(
          "{}:{}: json is Locust's flag now (true: the final stats as JSON on stdout); for a "
          "file write 'json-file = {}'",
          path, number, value));
    }
    if (std::getenv(env_name(key).c_str())) continue;
    if (value == "true" || value == "True") {
      tokens.push_back("--" + key);
    } else if (value == "false" || value == "False") {
      continue;
    } else {
      tokens.push_back("--" + key);
      tokens.push_back(value);
    }
  }
  return tokens;
}

}  // namespace arrload::cli
