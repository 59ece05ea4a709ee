// deploy/: the Containerfile and the Kubernetes manifests agree with each other, with the
// repository and with what Locust's operator builds, without a container runtime or a cluster.
// (deploy_run_test.cc runs their commands.)
#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "deploy/deploy_files.h"
#include "deploy/loopback.h"
#include "integration/harness.h"

namespace arrload::testing::deploy {
namespace {

const std::string kSource = ARRLOAD_SOURCE_DIR;
const std::string kContainerfile = kSource + "/deploy/Containerfile";
const std::string kK8s = kSource + "/deploy/k8s";

TEST(DeployFilesTest, TheContainerfileBuildsOnDebian12WithArrloadAsTheEntrypoint) {
  const ImageLayout image = read_containerfile(kContainerfile);
  ASSERT_GE(image.stage_bases.size(), 2u) << "a build stage and a runtime stage";
  for (const std::string& base : image.stage_bases) {
    EXPECT_NE(base.find("debian:12"), std::string::npos) << base;
  }
  EXPECT_EQ(image.entrypoint, std::vector<std::string>{"arrload"});
  EXPECT_EQ(image.exposed, (std::vector<std::string>{"5557", "8089"}));
  ASSERT_FALSE(image.user.empty());
  EXPECT_NE(image.user, "0");
  EXPECT_NE(image.user, "root");
  // The build installs what a developer's machine gets, and the runtime the .deb it made.
  const std::string runs = [&] {
    std::string all;
    for (const auto& r : image.runs) all += r + "\n";
    return all;
  }();
  EXPECT_NE(runs.find("install-deps.sh"), std::string::npos) << runs;
  EXPECT_NE(runs.find("cpack -G DEB"), std::string::npos) << runs;
  EXPECT_NE(runs.find("arrload_*.deb"), std::string::npos) << runs;
  // Every source it copies exists.
  ASSERT_FALSE(image.copies.empty());
  for (const auto& [in_image, in_repo] : image.copies) {
    EXPECT_TRUE(std::filesystem::exists(kSource + "/" + in_repo)) << in_repo;
  }
}

// How the test reads an image's files: a directory's contents, a file into a directory, COPY
// --from skipped, a ConfigMap mount hiding what the image has there.
TEST(DeployFilesTest, ImagePathsMapAsAContainerRuntimeAndKubernetesLayThemOut) {
  TempDir dir;
  const std::string file = dir.write("Containerfile",
                                     "FROM debian:12 AS build\n"
                                     "COPY scenarios/autoarr/suite.yaml /early/\n"
                                     "FROM debian:12-slim\n"
                                     "COPY --from=build /out/x /usr/bin/\n"
                                     "COPY --chown=1:1 scenarios/autoarr/ \\\n"
                                     "     /lotest/src/\n"
                                     "copy scenarios/autoarr/budgets.yaml /etc/arrload/\n");
  ImageFiles files(read_containerfile(file), kSource, {{"cm", {{"only.yaml", "users: []\n"}}}},
                   dir.file(""));
  Container plain, mounted;
  mounted.mounts = {{"/lotest/src", "cm"}};
  const std::string suite = kSource + "/scenarios/autoarr";
  EXPECT_EQ(files.find("/lotest/src", plain), suite);
  EXPECT_EQ(files.find("/lotest/src/shapes.yaml", plain), suite + "/shapes.yaml");
  EXPECT_EQ(files.find("/etc/arrload/budgets.yaml", plain), suite + "/budgets.yaml");
  EXPECT_EQ(files.find("/early/suite.yaml", plain), std::nullopt);  // an earlier stage's
  EXPECT_EQ(files.find("/usr/bin/x", plain), std::nullopt);         // built, not a source
  EXPECT_EQ(files.find("/lotest/src/shapes.yaml", mounted), std::nullopt);
  const auto only = files.find("/lotest/src/only.yaml", mounted);
  ASSERT_TRUE(only.has_value());
  EXPECT_EQ(read_file(*only), "users: []\n");
}

TEST(DeployFilesTest, TheScenarioConfigMapHoldsTheAutoArrSuiteAsItIs) {
  const Manifests k8s = read_manifests(kK8s);
  ASSERT_EQ(k8s.config_maps.count("arrload-autoarr"), 1u);
  const auto& data = k8s.config_maps.at("arrload-autoarr");
  std::set<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(kSource + "/scenarios/autoarr")) {
    if (e.path().extension() == ".yaml") files.insert(e.path().filename().string());
  }
  std::set<std::string> keys;
  for (const auto& [key, text] : data) keys.insert(key);
  EXPECT_EQ(keys, files) << "regenerate: deploy/k8s/make-configmap.sh > "
                            "deploy/k8s/scenario-configmap.yaml";
  for (const auto& [key, text] : data) {
    EXPECT_EQ(text, read_file(kSource + "/scenarios/autoarr/" + key))
        << key << " differs: deploy/k8s/make-configmap.sh > deploy/k8s/scenario-configmap.yaml";
  }
}

// Every container starts the image's entrypoint (or arrload by name) and every file it reads
// is in the image or in a ConfigMap of deploy/k8s mounted where it looks.
TEST(DeployFilesTest, EveryContainerRunsArrloadOnFilesTheImageHas) {
  const Manifests k8s = read_manifests(kK8s);
  ASSERT_GE(k8s.containers.size(), 4u) << "master and worker, plain and under the operator";
  TempDir scratch;
  ImageFiles files(read_containerfile(kContainerfile), kSource, k8s.config_maps, scratch.file(""));
  std::vector<std::string> problems;
  for (const Container& c : k8s.containers) {
    SCOPED_TRACE(c.origin);
    EXPECT_NE(c.image.find("arrload"), std::string::npos) << c.image;
    EXPECT_TRUE(c.command.empty() || c.command == std::vector<std::string>{"arrload"});
    EXPECT_NE(c.is_master(), c.is_worker()) << "each container is a master or a worker";
    for (const Mount& m : c.mounts) EXPECT_EQ(k8s.config_maps.count(m.config_map), 1u);
    loopback_args(c, files, Loopback{"http://127.0.0.1:1", 1, 2, "1s", scratch.file("")}, problems);
  }
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
  // Without a ConfigMap (a LocustTest without testFiles) /lotest/src is the image's own copy.
  Container bare;
  EXPECT_EQ(files.find("/lotest/src/", bare), kSource + "/scenarios/autoarr");
  // And an image path that is not there is caught.
  Container stray;
  stray.args = {"-f", "/lotest/src/missing.yaml"};
  loopback_args(stray, files, Loopback{}, problems);
  EXPECT_EQ(problems.size(), 1u);
}

// The plain manifests fit together: the workers find the master's Service, the master waits
// for as many workers as the worker Job runs, the Service selects the master's pod.
TEST(DeployFilesTest, ThePlainManifestsAgreeOnNamesPortsAndWorkerCounts) {
  const Manifests k8s = read_manifests(kK8s);
  YAML::Node service, master_job, worker_job;
  for (const auto& [file, doc] : k8s.documents) {
    const std::string kind = doc["kind"].as<std::string>("");
    const std::string name = doc["metadata"]["name"].as<std::string>("");
    if (kind == "Service" && name == "arrload-master") service = doc;
    if (kind == "Job" && name == "arrload-master") master_job = doc;
    if (kind == "Job" && name == "arrload-worker") worker_job = doc;
  }
  ASSERT_TRUE(service && master_job && worker_job);
  std::set<int> ports;
  for (const auto& p : service["spec"]["ports"]) ports.insert(p["port"].as<int>());
  EXPECT_EQ(ports, (std::set<int>{5557, 8089}));
  auto selects = [&](const YAML::Node& job) {
    const YAML::Node labels = job["spec"]["template"]["metadata"]["labels"];
    for (const auto& kv : service["spec"]["selector"]) {
      if (child(labels, kv.first.as<std::string>().c_str()).as<std::string>("") !=
          kv.second.as<std::string>()) {
        return false;
      }
    }
    return true;
  };
  EXPECT_TRUE(selects(master_job));
  EXPECT_FALSE(selects(worker_job));
  const std::vector<Container> master = workload_containers(master_job, "master.yaml");
  const std::vector<Container> worker = workload_containers(worker_job, "worker.yaml");
  ASSERT_EQ(master.size(), 1u);
  ASSERT_EQ(worker.size(), 1u);
  const int workers = worker_job["spec"]["parallelism"].as<int>();
  EXPECT_EQ(worker_job["spec"]["completions"].as<int>(), workers);
  auto has = [](const Container& c, const std::string& arg) {
    return std::count(c.args.begin(), c.args.end(), arg) > 0;
  };
  EXPECT_TRUE(has(master[0], "--expect-workers=" + std::to_string(workers)));
  EXPECT_TRUE(has(worker[0], "--master-host=arrload-master"));
  EXPECT_TRUE(has(worker[0], "--master-port=5557"));
}

// Our reading of the operator builds exactly the command lines issue 15 quotes.
TEST(DeployFilesTest, TheOperatorsCommandLinesAreTheOnesIssue15Quotes) {
  const char* seed =
      "--locustfile /lotest/src/autoarr.yaml --host http://api:8088 -u 1000 -r 50 -t 10m";
  const YAML::Node test = YAML::Load(std::string(R"(
apiVersion: locust.io/v2
kind: LocustTest
metadata: {name: demo.test}
spec:
  image: arrload:latest
  master: {command: ")") + seed + R"("}
  worker: {command: ")" + seed + R"(", replicas: 3}
)");
  const std::vector<Container> made = operator_containers(test, "inline");
  ASSERT_EQ(made.size(), 2u);
  auto joined = [](const std::vector<std::string>& words) {
    std::string s;
    for (const auto& w : words) s += (s.empty() ? "" : " ") + w;
    return s;
  };
  EXPECT_EQ(joined(made[0].args),
            std::string(seed) +
                " --master --master-port=5557 --expect-workers=3 --autostart --autoquit 60 "
                "--enable-rebalancing --only-summary");
  EXPECT_EQ(joined(made[1].args),
            std::string(seed) + " --worker --master-port=5557 --master-host=demo-test-master");
  // v1 spells the same test differently and gets the same commands.
  const YAML::Node v1 = YAML::Load(std::string(R"(
apiVersion: locust.io/v1
kind: LocustTest
metadata: {name: demo.test}
spec:
  image: arrload:latest
  masterCommandSeed: ")") + seed + R"("
  workerCommandSeed: ")" + seed + R"("
  workerReplicas: 3
)");
  const std::vector<Container> made_v1 = operator_containers(v1, "inline");
  EXPECT_EQ(made_v1[0].args, made[0].args);
  EXPECT_EQ(made_v1[1].args, made[1].args);
}

}  // namespace
}  // namespace arrload::testing::deploy
