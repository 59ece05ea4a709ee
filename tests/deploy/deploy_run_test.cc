// The containers of deploy/k8s (and the operator's command lines of issue 15) run for real on
// 127.0.0.1: a master and its workers, each started with exactly the container's arguments and
// environment (the image's ENV, then the container's), but for the stand-ins of loopback.h: the
// embedded target for --host, loopback ports for the master and the web UI, a short -t, image
// paths mapped to the repository or to a ConfigMap written out as Kubernetes mounts it. Every
// process is bounded in time.
#include <functional>
#include <memory>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <gtest/gtest.h>

#include "deploy/deploy_files.h"
#include "deploy/loopback.h"
#include "integration/harness.h"
#include "support/ports.h"

namespace arrload::testing::deploy {
namespace {

const std::string kSource = ARRLOAD_SOURCE_DIR;

struct ClusterOutcome {
  ProcessResult master;
  std::vector<ProcessResult> workers;
};

class DeployRunTest : public TargetTest {
 protected:
  // Runs MASTER and WORKER.replicas workers; DURING (if any) is called with the master's web
  // port once they are started. CONFIG_MAPS: besides those of deploy/k8s.
  ClusterOutcome run_cluster(
      const Container& master, const Container& worker, std::chrono::seconds limit,
      std::map<std::string, std::map<std::string, std::string>> config_maps = {},
      const std::function<void(unsigned short)>& during = {}) {
    const ImageLayout image = read_containerfile(kSource + "/deploy/Containerfile");
    config_maps.merge(read_manifests(kSource + "/deploy/k8s").config_maps);
    ImageFiles files(image, kSource, config_maps, dir_.file(""));
    const Loopback lo{host_, test_ports::unused_loopback_port(), test_ports::unused_loopback_port(),
                      "5s", dir_.file("")};
    const std::string port = std::to_string(lo.master_port);
    std::vector<std::string> problems;
    auto env_of = [&](const Container& c, std::vector<std::string> ours) {
      std::vector<std::pair<std::string, std::string>> vars = image.env;
      vars.insert(vars.end(), c.env.begin(), c.env.end());
      for (std::string& v : loopback_env(vars, c, files, lo, problems)) ours.push_back(v);
      return ours;
    };
    const auto master_args = loopback_args(master, files, lo, problems);
    const auto master_env = env_of(
        master, {"ARRLOAD_MASTER_BIND_HOST=127.0.0.1", "ARRLOAD_MASTER_BIND_PORT=" + port,
                 "ARRLOAD_WEB_HOST=127.0.0.1", "ARRLOAD_WEB_PORT=" + std::to_string(lo.web_port)});
    const auto worker_args = loopback_args(worker, files, lo, problems);
    // No defaults for the workers: one that does not name its master would not find it in a pod.
    const auto worker_env = env_of(worker, {});
    EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
    std::cerr << "master: arrload " << ::testing::PrintToString(master_args) << "\nworker: arrload "
              << ::testing::PrintToString(worker_args) << " (" << worker.replicas << " of them)\n";

    ClusterOutcome out;
    Arrload m(master_args, master_env);
    std::vector<std::unique_ptr<Arrload>> ws;
    for (int i = 0; i < worker.replicas; ++i)
      ws.push_back(std::make_unique<Arrload>(worker_args, worker_env));
    if (during) during(static_cast<unsigned short>(lo.web_port));
    out.master = m.wait(limit);
    // The workers quit with the master (its quit message).
    for (auto& w : ws) out.workers.push_back(w->wait(std::chrono::seconds(15)));
    return out;
  }

  // Both sides ended well and the target saw the load.
  void expect_a_complete_run(const ClusterOutcome& run) {
    EXPECT_EQ(run.master.exit_code, 0) << run.master.out << run.master.err;
    for (const ProcessResult& w : run.workers) {
      EXPECT_EQ(w.exit_code, 0) << w.err;
      EXPECT_NE(w.err.find("Connected to the master"), std::string::npos) << w.err;
    }
    EXPECT_NE(run.master.out.find("Aggregated"), std::string::npos) << run.master.out;
    EXPECT_GT(served(), 0);
  }
};

Container container_in(const std::vector<Container>& all, const std::string& origin_part,
                       bool master) {
  for (const Container& c : all) {
    if (c.origin.find(origin_part) != std::string::npos && c.is_master() == master) return c;
  }
  ADD_FAILURE() << "no " << (master ? "master" : "worker") << " in " << origin_part;
  return {};
}

// master.yaml's Job and worker.yaml's Job, as many workers as the Job runs.
TEST_F(DeployRunTest, ThePlainManifestsRunAMasterAndItsWorkers) {
  const Manifests k8s = read_manifests(kSource + "/deploy/k8s");
  const Container master = container_in(k8s.containers, "master.yaml", true);
  const Container worker = container_in(k8s.containers, "worker.yaml", false);
  const ClusterOutcome run = run_cluster(master, worker, std::chrono::seconds(60));
  expect_a_complete_run(run);
}

// What the operator's metrics sidecar reads in the master's /stats/requests.
struct Scraped {
  std::string state;
  std::int64_t users = -1;
  std::int64_t workers = -1;
  bool operator==(const Scraped&) const = default;
};

std::int64_t int_field(const boost::json::object& o, const char* key) {
  return o.contains(key) && o.at(key).is_int64() ? o.at(key).as_int64() : -1;
}

// /stats/requests on PORT once the run has USERS users on WORKERS workers (or after 60 s).
Scraped scrape_until(unsigned short port, std::int64_t users, std::int64_t workers) {
  Scraped seen;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < give_up &&
         (seen.users != users || seen.workers != workers)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(http_get_body(port, "/stats/requests"), ec);
    if (ec || !v.is_object()) continue;
    const auto& o = v.as_object();
    if (o.contains("state") && o.at("state").is_string()) {
      seen.state = std::string(o.at("state").as_string());
    }
    seen.users = int_field(o, "user_count");
    seen.workers = int_field(o, "worker_count");
  }
  return seen;
}

// locusttest.yaml as the operator turns it into a master and workers; its metrics sidecar would
// find the run in the web UI.
TEST_F(DeployRunTest, TheLocustTestExampleRunsAsTheOperatorStartsIt) {
  const Manifests k8s = read_manifests(kSource + "/deploy/k8s");
  const Container master = container_in(k8s.containers, "locusttest.yaml", true);
  const Container worker = container_in(k8s.containers, "locusttest.yaml", false);
  Scraped seen;
  const ClusterOutcome run =
      run_cluster(master, worker, std::chrono::seconds(120), {},
                  [&](unsigned short web_port) { seen = scrape_until(web_port, 100, 4); });
  expect_a_complete_run(run);
  EXPECT_EQ(seen, (Scraped{"running", 100, 4}))
      << seen.state << ", " << seen.users << " users, " << seen.workers << " workers";
}

// A worker told where its master is only by the variables Locust's Helm chart (deliveryhero)
// sets, LOCUST_MASTER_HOST and LOCUST_MASTER_PORT.
TEST_F(DeployRunTest, AWorkerFindsItsMasterThroughTheHelmChartsVariables) {
  const Manifests k8s = read_manifests(kSource + "/deploy/k8s");
  Container master = container_in(k8s.containers, "master.yaml", true);
  std::replace_if(
      master.args.begin(), master.args.end(),
      [](const std::string& a) { return a.rfind("--expect-workers=", 0) == 0; },
      "--expect-workers=1");
  Container worker = container_in(k8s.containers, "worker.yaml", false);
  worker.args = {"--locustfile=/lotest/src", "--worker"};
  worker.env = {{"LOCUST_HOST", "http://autoarr:8088"},
                {"LOCUST_MASTER_HOST", "arrload-master"},
                {"LOCUST_MASTER_PORT", "5557"}};
  worker.replicas = 1;
  const ClusterOutcome run = run_cluster(master, worker, std::chrono::seconds(60));
  expect_a_complete_run(run);
}

// Issue 15's two command lines with its example seed, the file it names (autoarr.yaml: the
// AutoArr suite in one file) in a ConfigMap the operator mounts at /lotest/src.
TEST_F(DeployRunTest, TheOperatorCommandLinesOfIssue15Run) {
  const std::string seed =
      "--locustfile /lotest/src/autoarr.yaml --host http://api:8088 -u 1000 -r 50 -t 10m";
  const YAML::Node test = YAML::Load(R"(
apiVersion: locust.io/v2
kind: LocustTest
metadata: {name: autoarr}
spec:
  image: arrload:latest
  master: {command: ")" + seed + R"("}
  worker: {command: ")" + seed + R"(", replicas: 2}
  testFiles: {configMapRef: autoarr-one-file}
)");
  const std::vector<Container> made = operator_containers(test, "issue 15");
  std::string one_file;
  for (const char* part : {"suite.yaml", "shapes.yaml", "profiles.yaml"}) {
    one_file += read_file(kSource + "/scenarios/autoarr/" + part);
  }
  const ClusterOutcome run = run_cluster(made[0], made[1], std::chrono::seconds(120),
                                         {{"autoarr-one-file", {{"autoarr.yaml", one_file}}}});
  expect_a_complete_run(run);
}

}  // namespace
}  // namespace arrload::testing::deploy
