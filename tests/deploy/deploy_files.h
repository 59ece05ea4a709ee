#pragma once
// Reads what deploy/ tells a container runtime and Kubernetes: the image layout a Containerfile
// builds, the containers of Kubernetes manifests, and the containers Locust's operator makes
// from a LocustTest. Test helpers for tests/deploy/ (header-only, like integration/harness.h).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace arrload::testing::deploy {

// What the final stage of a Containerfile puts into the image.
struct ImageLayout {
  // COPY from the build context (the repository): image path (as written: a trailing slash
  // makes it a directory) -> repository path. COPY --from=<stage> lines are not here (built
  // files, not sources).
  std::vector<std::pair<std::string, std::string>> copies;
  std::vector<std::pair<std::string, std::string>> env;  // ENV NAME=VALUE
  std::vector<std::string> entrypoint;                   // ENTRYPOINT ["..."]
  std::vector<std::string> exposed;                      // EXPOSE ports
  std::string user;                                      // USER
  std::vector<std::string> stage_bases;                  // every FROM's image, in order
  std::vector<std::string> runs;                         // every RUN, of every stage
};

inline std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// Splits TEXT at runs of white space, as Go's strings.Fields (the operator splits a command
// seed with it).
inline std::vector<std::string> fields(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

inline std::string without_trailing_slash(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

// ["a", "b"] (an exec-form instruction) -> {a, b}.
inline std::vector<std::string> json_words(const std::string& text) {
  YAML::Node node = YAML::Load(text);  // a JSON array is YAML too
  std::vector<std::string> out;
  for (const auto& item : node) out.push_back(item.as<std::string>());
  return out;
}

// The instructions of the Containerfile at PATH, continuation lines joined, comments dropped.
inline std::vector<std::pair<std::string, std::string>> instructions(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot read");
  std::vector<std::pair<std::string, std::string>> out;
  std::string pending;
  for (std::string line; std::getline(in, line);) {
    std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const bool continued = t.back() == '\\';
    if (continued) t.pop_back();
    pending += (pending.empty() ? "" : " ") + trim(t);
    if (continued) continue;
    const auto space = pending.find(' ');
    std::string word = pending.substr(0, space);
    std::transform(word.begin(), word.end(), word.begin(), ::toupper);
    out.emplace_back(word, space == std::string::npos ? "" : trim(pending.substr(space)));
    pending.clear();
  }
  return out;
}

inline ImageLayout read_containerfile(const std::string& path) {
  ImageLayout layout;
  for (const auto& [word, rest] : instructions(path)) {
    if (word == "FROM") {
      layout.stage_bases.push_back(fields(rest).at(0));
      layout.copies.clear();
      layout.env.clear();
      layout.entrypoint.clear();
      layout.exposed.clear();
      layout.user.clear();
    } else if (word == "RUN") {
      layout.runs.push_back(rest);
    } else if (word == "COPY") {
      std::vector<std::string> words = fields(rest);
      if (std::any_of(words.begin(), words.end(),
                      [](const std::string& w) { return w.rfind("--from=", 0) == 0; })) {
        continue;
      }
      std::erase_if(words, [](const std::string& w) { return w.rfind("--", 0) == 0; });
      if (words.size() < 2) throw std::runtime_error(path + ": COPY without source or target");
      for (std::size_t i = 0; i + 1 < words.size(); ++i) {
        layout.copies.emplace_back(words.back(), without_trailing_slash(words[i]));
      }
    } else if (word == "ENV") {
      for (const std::string& pair : fields(rest)) {
        const auto eq = pair.find('=');
        if (eq == std::string::npos) throw std::runtime_error(path + ": ENV needs NAME=VALUE");
        layout.env.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
      }
    } else if (word == "ENTRYPOINT") {
      layout.entrypoint = json_words(rest);
    } else if (word == "EXPOSE") {
      layout.exposed = fields(rest);
    } else if (word == "USER") {
      layout.user = rest;
    }
  }
  return layout;
}

// A ConfigMap volume of a container: the ConfigMap's keys appear as files under PATH.
struct Mount {
  std::string path;
  std::string config_map;
};

// One container as Kubernetes starts it from the arrload image.
struct Container {
  std::string origin;                                    // file and object, for messages
  std::string image;                                     // as written
  std::vector<std::string> command;                      // command: (empty: the entrypoint)
  std::vector<std::string> args;                         // args:
  std::vector<std::pair<std::string, std::string>> env;  // env: NAME/value pairs
  std::vector<Mount> mounts;                             // ConfigMap volumes
  int replicas = 1;                                      // pods running it at once

  bool is_master() const { return std::count(args.begin(), args.end(), "--master") > 0; }
  bool is_worker() const { return std::count(args.begin(), args.end(), "--worker") > 0; }
};

// NODE's KEY, or an undefined node (whose as<T>(fallback) is the fallback) when NODE is not a
// mapping or has no KEY: yaml-cpp throws when a missing key is looked into.
inline YAML::Node child(const YAML::Node& node, const char* key) {
  if (!node || !node.IsMap() || !node[key]) return YAML::Node(YAML::NodeType::Undefined);
  return node[key];
}

// The pod template of a workload (Job, Deployment, StatefulSet, Pod); null for other kinds.
inline YAML::Node pod_spec(const YAML::Node& doc) {
  const std::string kind = doc["kind"].as<std::string>("");
  if (kind == "Pod") return doc["spec"];
  if (kind == "Job" || kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet") {
    return doc["spec"]["template"]["spec"];
  }
  return YAML::Node();
}

inline int pod_count(const YAML::Node& doc) {
  const YAML::Node spec = doc["spec"];
  if (doc["kind"].as<std::string>("") == "Job") return spec["parallelism"].as<int>(1);
  return spec["replicas"].as<int>(1);
}

// The containers of the workload DOC (none for other kinds), from FILE.
inline std::vector<Container> workload_containers(const YAML::Node& doc, const std::string& file) {
  std::vector<Container> out;
  const YAML::Node pod = pod_spec(doc);
  if (!pod) return out;
  std::map<std::string, std::string> volumes;  // volume name -> ConfigMap name
  for (const auto& v : pod["volumes"]) {
    if (v["configMap"])
      volumes[v["name"].as<std::string>()] = v["configMap"]["name"].as<std::string>();
  }
  for (const auto& c : pod["containers"]) {
    Container ct;
    ct.origin = file + ": " + doc["kind"].as<std::string>() + " " +
                doc["metadata"]["name"].as<std::string>() + ", container " +
                c["name"].as<std::string>("");
    ct.image = c["image"].as<std::string>("");
    for (const auto& w : c["command"]) ct.command.push_back(w.as<std::string>());
    for (const auto& w : c["args"]) ct.args.push_back(w.as<std::string>());
    for (const auto& e : c["env"]) {
      if (e["value"])
        ct.env.emplace_back(e["name"].as<std::string>(), e["value"].as<std::string>());
    }
    for (const auto& m : c["volumeMounts"]) {
      auto it = volumes.find(m["name"].as<std::string>());
      if (it != volumes.end()) ct.mounts.push_back({m["mountPath"].as<std::string>(), it->second});
    }
    ct.replicas = pod_count(doc);
    out.push_back(std::move(ct));
  }
  return out;
}

// The port workers use and the ConfigMap mount path Locust's operator sets (its constants).
inline constexpr int kOperatorMasterPort = 5557;
inline constexpr const char* kOperatorSrcMountPath = "/lotest/src";

// The operator's arguments for the master from its command SEED (split at white space).
inline std::vector<std::string> operator_master_args(const std::string& seed, int workers,
                                                     bool autostart = true, int autoquit = 60) {
  std::vector<std::string> a = fields(seed);
  a.insert(a.end(), {"--master", "--master-port=" + std::to_string(kOperatorMasterPort),
                     "--expect-workers=" + std::to_string(workers)});
  if (autostart) a.push_back("--autostart");
  if (autoquit >= 0) a.insert(a.end(), {"--autoquit", std::to_string(autoquit)});
  a.insert(a.end(), {"--enable-rebalancing", "--only-summary"});
  return a;
}

// ... and for a worker, whose master is the Service MASTER_SERVICE.
inline std::vector<std::string> operator_worker_args(const std::string& seed,
                                                     const std::string& master_service) {
  std::vector<std::string> a = fields(seed);
  a.insert(a.end(), {"--worker", "--master-port=" + std::to_string(kOperatorMasterPort),
                     "--master-host=" + master_service});
  return a;
}

// The master's Service the operator names after the LocustTest (dots become dashes).
inline std::string operator_master_service(std::string test_name) {
  std::replace(test_name.begin(), test_name.end(), '.', '-');
  return test_name + "-master";
}

inline void append_words(std::vector<std::string>& to, const YAML::Node& list) {
  for (const auto& w : list) to.push_back(w.as<std::string>());
}

// The master and worker containers Locust's operator creates for the LocustTest DOC (v1 or v2).
inline std::vector<Container> operator_containers(const YAML::Node& doc, const std::string& file) {
  const YAML::Node spec = doc["spec"];
  const std::string name = doc["metadata"]["name"].as<std::string>();
  const bool v1 = doc["apiVersion"].as<std::string>() == "locust.io/v1";
  Container master, worker;
  master.origin = file + ": LocustTest " + name + " (master, as the operator builds it)";
  worker.origin = file + ": LocustTest " + name + " (worker, as the operator builds it)";
  master.image = worker.image = spec["image"].as<std::string>();
  std::string config_map, mount_path = kOperatorSrcMountPath;
  if (v1) {
    worker.replicas = spec["workerReplicas"].as<int>();
    master.args =
        operator_master_args(spec["masterCommandSeed"].as<std::string>(), worker.replicas);
    worker.args = operator_worker_args(spec["workerCommandSeed"].as<std::string>(),
                                       operator_master_service(name));
    config_map = spec["configMap"].as<std::string>("");
  } else {
    const YAML::Node m = spec["master"], w = spec["worker"];
    worker.replicas = w["replicas"].as<int>();
    const YAML::Node quit = child(m, "autoquit");
    const bool quits = child(quit, "enabled").as<bool>(true);
    master.args = operator_master_args(m["command"].as<std::string>(), worker.replicas,
                                       m["autostart"].as<bool>(true),
                                       quits ? child(quit, "timeout").as<int>(60) : -1);
    append_words(master.args, m["extraArgs"]);
    worker.args =
        operator_worker_args(w["command"].as<std::string>(), operator_master_service(name));
    append_words(worker.args, w["extraArgs"]);
    const YAML::Node test_files = child(spec, "testFiles");
    config_map = child(test_files, "configMapRef").as<std::string>("");
    mount_path = child(test_files, "srcMountPath").as<std::string>(mount_path);
    for (const auto& e : child(child(spec, "env"), "variables")) {
      if (!e["value"]) continue;
      master.env.emplace_back(e["name"].as<std::string>(), e["value"].as<std::string>());
      worker.env.push_back(master.env.back());
    }
  }
  if (!config_map.empty()) master.mounts = worker.mounts = {{mount_path, config_map}};
  return {master, worker};
}

// Everything deploy/k8s holds: the arrload containers (a LocustTest's as the operator makes
// them), the ConfigMaps (name -> key -> text) and every document, by file.
struct Manifests {
  std::vector<Container> containers;
  std::map<std::string, std::map<std::string, std::string>> config_maps;
  std::vector<std::pair<std::string, YAML::Node>> documents;  // (file name, document)
};

inline Manifests read_manifests(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string ext = e.path().extension().string();
    if (ext == ".yaml" || ext == ".yml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  Manifests out;
  for (const auto& path : files) {
    const std::string file = path.filename().string();
    for (const YAML::Node& doc : YAML::LoadAllFromFile(path.string())) {
      if (!doc || doc.IsNull()) continue;
      out.documents.emplace_back(file, doc);
      const std::string kind = doc["kind"].as<std::string>("");
      std::vector<Container> found =
          kind == "LocustTest" ? operator_containers(doc, file) : workload_containers(doc, file);
      out.containers.insert(out.containers.end(), found.begin(), found.end());
      if (kind == "ConfigMap") {
        auto& data = out.config_maps[doc["metadata"]["name"].as<std::string>()];
        for (const auto& kv : doc["data"])
          data[kv.first.as<std::string>()] = kv.second.as<std::string>();
      }
    }
  }
  return out;
}

}  // namespace arrload::testing::deploy
