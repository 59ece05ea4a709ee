#pragma once
// Turns a container's command line into one that runs here, on 127.0.0.1: image paths become
// the repository's files (Containerfile COPY) or a ConfigMap written out as Kubernetes mounts
// it, the target becomes the embedded one, the master's address and ports loopback ones, the run
// short. Nothing else changes, so what runs is what the manifest says.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "deploy/deploy_files.h"

namespace arrload::testing::deploy {

// Options whose value names a file the container reads: it must be in the image layout.
inline const std::set<std::string> kInputFileOptions = {"-f", "--scenario", "--locustfile",
                                                        "--config", "--budgets"};
// Options whose value names a file the container writes.
inline const std::set<std::string> kOutputFileOptions = {"--csv", "--json", "--html", "--junit"};
// The other options whose value is replaced by a loopback one (every other argument is passed
// through untouched).
inline const std::set<std::string> kRewrittenOptions = {"-H",
                                                        "--host",
                                                        "--master-host",
                                                        "--master-port",
                                                        "--master-bind-host",
                                                        "--master-bind-port",
                                                        "--web-host",
                                                        "--web-port",
                                                        "-t",
                                                        "--run-time"};

// Where a container's files are on this machine.
class ImageFiles {
 public:
  // LAYOUT: the image's; SOURCE_DIR: the repository (the build context); CONFIG_MAPS: those of
  // the manifests; SCRATCH: an existing directory for the mounted ConfigMaps.
  ImageFiles(ImageLayout layout, std::string source_dir,
             std::map<std::string, std::map<std::string, std::string>> config_maps,
             std::string scratch)
      : layout_(std::move(layout)),
        source_dir_(std::move(source_dir)),
        config_maps_(std::move(config_maps)),
        scratch_(std::move(scratch)) {}

  // The local file or directory for IMAGE_PATH in CONTAINER: under one of its ConfigMap mounts
  // (which hide the image's files there, as in Kubernetes), else copied by the Containerfile;
  // nullopt when neither has it.
  std::optional<std::string> find(const std::string& image_path, const Container& c) {
    const std::string p = without_trailing_slash(image_path);
    for (const Mount& m : c.mounts) {
      if (auto rest = below(p, without_trailing_slash(m.path))) {
        auto dir = mounted(m.config_map);
        if (!dir) return std::nullopt;
        return existing(*dir + *rest);
      }
    }
    for (const auto& [target, in_repo] : layout_.copies) {
      // A file copied into a directory keeps its name there.
      const std::string source = source_dir_ + "/" + in_repo;
      std::string in_image = without_trailing_slash(target);
      if (target.back() == '/' && std::filesystem::is_regular_file(source)) {
        in_image += "/" + std::filesystem::path(source).filename().string();
      }
      if (auto rest = below(p, in_image)) return existing(source + *rest);
    }
    return std::nullopt;
  }

 private:
  // "" or "/x/y" when PATH is DIR or below it.
  static std::optional<std::string> below(const std::string& path, const std::string& dir) {
    if (path == dir) return "";
    if (path.rfind(dir + "/", 0) == 0) return path.substr(dir.size());
    return std::nullopt;
  }
  static std::optional<std::string> existing(const std::string& path) {
    if (std::filesystem::exists(path)) return path;
    return std::nullopt;
  }
  // The ConfigMap NAME written out as a ConfigMap volume looks: each key a symlink to
  // ..data/KEY, ..data a symlink to a time-stamped directory holding the files.
  std::optional<std::string> mounted(const std::string& name) {
    auto cm = config_maps_.find(name);
    if (cm == config_maps_.end()) return std::nullopt;
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(scratch_) / ("configmap-" + name);
    if (!fs::exists(dir)) {
      const fs::path stamped = dir / "..2026_01_01_00_00_00.000000001";
      fs::create_directories(stamped);
      for (const auto& [key, text] : cm->second) std::ofstream(stamped / key) << text;
      fs::create_directory_symlink(stamped.filename(), dir / "..data");
      for (const auto& [key, text] : cm->second)
        fs::create_symlink(fs::path("..data") / key, dir / key);
    }
    return dir.string();
  }

  ImageLayout layout_;
  std::string source_dir_;
  std::map<std::string, std::map<std::string, std::string>> config_maps_;
  std::string scratch_;
};

// The loopback stand-ins.
struct Loopback {
  std::string target;      // the embedded target's URL, for --host
  int master_port = 0;     // for --master-port and --master-bind-port
  int web_port = 0;        // for --web-port
  std::string run_time;    // for -t/--run-time
  std::string output_dir;  // where report files go
};

// The loopback value for option NAME (long or short, without a value) given VALUE; PROBLEMS gets
// a line for an input file the image does not have.
inline std::string loopback_value(const std::string& name, const std::string& value,
                                  const Container& c, ImageFiles& files, const Loopback& lo,
                                  std::vector<std::string>& problems) {
  if (name == "-H" || name == "--host") return lo.target;
  if (name == "--master-host" || name == "--master-bind-host" || name == "--web-host") {
    return "127.0.0.1";
  }
  if (name == "--master-port" || name == "--master-bind-port")
    return std::to_string(lo.master_port);
  if (name == "--web-port") return std::to_string(lo.web_port);
  if (name == "-t" || name == "--run-time") return lo.run_time;
  if (kInputFileOptions.count(name)) {
    if (auto local = files.find(value, c)) return *local;
    problems.push_back(c.origin + ": " + name + " " + value + " is not in the image layout");
    return value;
  }
  if (kOutputFileOptions.count(name) && value != "-") {
    return lo.output_dir + "/" + std::filesystem::path(value).filename().string();
  }
  return value;
}

inline bool takes_value(const std::string& name) {
  return kInputFileOptions.count(name) || kOutputFileOptions.count(name) ||
         kRewrittenOptions.count(name);
}

// C's arguments (after the entrypoint) made to run here.
inline std::vector<std::string> loopback_args(const Container& c, ImageFiles& files,
                                              const Loopback& lo,
                                              std::vector<std::string>& problems) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < c.args.size(); ++i) {
    const std::string& a = c.args[i];
    const auto eq = a.find('=');
    if (a.rfind("--", 0) == 0 && eq != std::string::npos && takes_value(a.substr(0, eq))) {
      const std::string name = a.substr(0, eq);
      out.push_back(name + "=" + loopback_value(name, a.substr(eq + 1), c, files, lo, problems));
    } else if (takes_value(a) && i + 1 < c.args.size()) {
      out.push_back(a);
      out.push_back(loopback_value(a, c.args[++i], c, files, lo, problems));
    } else {
      out.push_back(a);
    }
  }
  return out;
}

// The option an ARRLOAD_* or LOCUST_* variable sets ("LOCUST_MASTER_NODE_HOST" ->
// "--master-host"); "" for other variables.
inline std::string option_of_variable(const std::string& var) {
  if (var == "LOCUST_MASTER_NODE_HOST") return "--master-host";
  if (var == "LOCUST_MASTER_NODE_PORT") return "--master-port";
  std::string rest;
  for (const char* prefix : {"ARRLOAD_", "LOCUST_"}) {
    if (var.rfind(prefix, 0) == 0) rest = var.substr(std::string(prefix).size());
  }
  if (rest.empty()) return "";
  std::string name = "--";
  for (char ch : rest) name += ch == '_' ? '-' : static_cast<char>(::tolower(ch));
  return name;
}

// NAME=VALUE for each of VARS (the image's ENV, then the container's), made to run here.
inline std::vector<std::string> loopback_env(
    const std::vector<std::pair<std::string, std::string>>& vars, const Container& c,
    ImageFiles& files, const Loopback& lo, std::vector<std::string>& problems) {
  std::vector<std::string> out;
  for (const auto& [name, value] : vars) {
    const std::string option = option_of_variable(name);
    const std::string v =
        takes_value(option) ? loopback_value(option, value, c, files, lo, problems) : value;
    out.push_back(name + "=" + v);
  }
  // The container's own variables come later in VARS and must win over the image's; getenv()
  // finds the first of two equal names, so reverse.
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace arrload::testing::deploy
