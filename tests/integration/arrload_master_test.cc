// End to end: an arrload master (--master) with real workers on loopback: a Locust worker
// (Debian's python3-locust, 2.12.1) and arrload workers together, a worker killed mid-run, a
// worker with another scenario. Every process is bounded in time and killed if it overruns.
#include <signal.h>

#include <filesystem>
#include <functional>
#include <regex>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <gtest/gtest.h>

#include "integration/harness.h"
#include "support/ports.h"

namespace arrload::testing {
namespace {

constexpr const char* kLocust = "/usr/bin/locust";

// A Locust worker's own locustfile: the same classes, weights and requests as kPingerAndBreaker.
const char* kLocustWorkerFile = R"(from locust import HttpUser, task, constant


class Pinger(HttpUser):
    weight = 3
    wait_time = constant(0.02)

    @task
    def ping(self):
        self.client.get("/ping")


class Breaker(HttpUser):
    weight = 1
    wait_time = constant(0.05)

    @task
    def broken(self):
        self.client.get("/__target/status/500", name="/__target/status/500")
)";

using ArrloadMasterTest = TargetTest;

// "Spawning 4 users (Pinger: 3, Breaker: 1)" from an arrload worker's log: the first such total.
long spawned_users(const std::string& log) {
  std::smatch m;
  if (!std::regex_search(log, m, std::regex(R"(Spawning (\d+) users)"))) return -1;
  return std::stol(m[1]);
}

std::vector<std::string> master_args(const std::string& scenario, const std::string& port,
                                     const std::string& host, const std::string& csv,
                                     std::vector<std::string> more) {
  std::vector<std::string> tail{"--csv", csv, "--exit-code-on-error", "0", "--only-summary"};
  tail.insert(tail.end(), more.begin(), more.end());
  return master_run_args(scenario, port, host, std::move(tail));
}

TEST_F(ArrloadMasterTest, DrivesALocustWorkerAndAnArrloadWorkerAtOnce) {
  ASSERT_TRUE(std::filesystem::exists(kLocust))
      << "Locust is missing: scripts/install-deps.sh test installs python3-locust";
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  const std::string locustfile = dir_.write("locustfile.py", kLocustWorkerFile);
  const std::string port = std::to_string(test_ports::unused_loopback_port());
  const std::string csv = dir_.file("mixed");
  Arrload master(master_args(scenario, port, host_, csv,
                             {"--expect-workers", "2", "-u", "8", "-r", "8", "-t", "4s"}));
  Arrload ours({"run", "-f", scenario, "--worker", "--master-port", port, "--threads", "1"});
  Arrload theirs(
      kLocust, {"-f", locustfile, "--worker", "--master-host", "127.0.0.1", "--master-port", port},
      {});
  ProcessResult m = master.wait(std::chrono::seconds(60));
  ProcessResult w = ours.wait(std::chrono::seconds(30));
  ProcessResult l = theirs.wait(std::chrono::seconds(30));
  EXPECT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(w.exit_code, 0) << w.err;
  EXPECT_EQ(l.exit_code, 0) << l.err;
  EXPECT_EQ(l.err.find("Traceback"), std::string::npos) << l.err;
  EXPECT_NE(m.err.find("(arrload) connected"), std::string::npos) << m.err;
  EXPECT_NE(m.err.find("(Locust) connected"), std::string::npos) << m.err;
  // Each got half of the 8 users, split by weight over both.
  EXPECT_EQ(spawned_users(w.err), 4) << w.err;
  EXPECT_NE(m.err.find("All users spawned: Pinger: 6, Breaker: 2 (8 total users)"),
            std::string::npos)
      << m.err;

  const std::string stats = read_file(csv + "_stats.csv");
  auto ping = stats_row(stats, "/ping", "GET");
  auto total = stats_row(stats, "Aggregated");
  ASSERT_FALSE(ping.empty()) << stats << m.err;
  ASSERT_FALSE(total.empty()) << stats;
  // The merged CSV holds both workers' requests: more than the arrload worker reported, and
  // all the target answered but for the requests in flight when the users stopped.
  const auto [ours_all, ours_failed] = reported(w.err, "Reported to the master in total");
  ASSERT_GT(ours_all, 20) << w.err;
  const long all = std::stol(total[2]);
  EXPECT_GT(all, ours_all + 20) << m.err;
  const long answered = served();
  EXPECT_LE(all, answered);
  EXPECT_GE(all, answered - 8) << m.err;
  // Locust's rows are merged from its rounded buckets, and the run says so.
  EXPECT_NE(m.err.find("approximate"), std::string::npos) << m.err;
}

TEST_F(ArrloadMasterTest, CountsOfThreeArrloadWorkersAddUpExactly) {
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  const std::string port = std::to_string(test_ports::unused_loopback_port());
  const std::string csv = dir_.file("three");
  Arrload master(master_args(scenario, port, host_, csv,
                             {"--expect-workers", "3", "-u", "6", "-r", "6", "-t", "3s"}));
  std::vector<std::unique_ptr<Arrload>> workers;
  for (int i = 0; i < 3; ++i) {
    workers.push_back(std::make_unique<Arrload>(std::vector<std::string>{
        "run", "-f", scenario, "--worker", "--master-port", port, "--threads", "1"}));
  }
  ProcessResult m = master.wait(std::chrono::seconds(60));
  EXPECT_EQ(m.exit_code, 0) << m.err;
  long ping_sum = 0, broken_sum = 0, broken_failed = 0;
  for (auto& w : workers) {
    ProcessResult r = w->wait(std::chrono::seconds(30));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(spawned_users(r.err), 2) << r.err;
    auto p = reported(r.err, "Reported GET /ping");
    auto b = reported(r.err, "Reported GET /__target/status/500");
    ping_sum += std::max(0L, p.first);
    broken_sum += std::max(0L, b.first);
    broken_failed += std::max(0L, b.second);
  }
  const std::string stats = read_file(csv + "_stats.csv");
  auto ping = stats_row(stats, "/ping", "GET");
  auto broken = stats_row(stats, "/__target/status/500", "GET");
  ASSERT_FALSE(ping.empty()) << stats << m.err;
  ASSERT_FALSE(broken.empty()) << stats << m.err;
  EXPECT_GT(ping_sum, 50);
  EXPECT_EQ(std::stol(ping[2]), ping_sum);
  EXPECT_EQ(std::stol(broken[2]), broken_sum);
  EXPECT_EQ(std::stol(broken[3]), broken_failed);
  EXPECT_EQ(m.err.find("approximate"), std::string::npos) << m.err;  // all exact
}

TEST_F(ArrloadMasterTest, AKilledWorkerIsMissingAndItsUsersMoveWithRebalancing) {
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  const std::string port = std::to_string(test_ports::unused_loopback_port());
  const std::string csv = dir_.file("killed");
  Arrload master(master_args(
      scenario, port, host_, csv,
      {"--expect-workers", "2", "-u", "4", "-r", "4", "-t", "9s", "--enable-rebalancing"}));
  Arrload doomed({"run", "-f", scenario, "--worker", "--master-port", port, "--threads", "1"});
  Arrload survivor({"run", "-f", scenario, "--worker", "--master-port", port, "--threads", "1"});
  ASSERT_TRUE(eventually(
      [&] { return doomed.err_so_far().find("All 2 users spawned") != std::string::npos; },
      std::chrono::seconds(20)))
      << doomed.err_so_far() << master.err_so_far();
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));  // a stats report first
  doomed.signal(SIGKILL);
  ProcessResult m = master.wait(std::chrono::seconds(60));
  ProcessResult s = survivor.wait(std::chrono::seconds(30));
  EXPECT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(m.err.find("heartbeats: marked missing; its users move to the other workers"),
            std::string::npos)
      << m.err;
  // The survivor got the lost worker's users.
  EXPECT_NE(s.err.find("Spawning 4 users"), std::string::npos) << s.err;
  auto total = stats_row(read_file(csv + "_stats.csv"), "Aggregated");
  ASSERT_FALSE(total.empty()) << m.err;
  const auto [survivor_all, f] = reported(s.err, "Reported to the master in total");
  EXPECT_GT(std::stol(total[2]), survivor_all);  // the killed worker's early reports count too
}

TEST_F(ArrloadMasterTest, LosingTheOnlyWorkerEndsTheRunWithReportsAndStatusOne) {
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  const std::string port = std::to_string(test_ports::unused_loopback_port());
  const std::string csv = dir_.file("lost");
  Arrload master(master_args(scenario, port, host_, csv, {"-u", "2", "-r", "2", "-t", "60s"}));
  Arrload worker({"run", "-f", scenario, "--worker", "--master-port", port, "--threads", "1"});
  ASSERT_TRUE(eventually(
      [&] { return worker.err_so_far().find("All 2 users spawned") != std::string::npos; },
      std::chrono::seconds(20)))
      << worker.err_so_far();
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));  // a stats report first
  worker.signal(SIGKILL);
  ProcessResult m = master.wait(std::chrono::seconds(30));
  EXPECT_EQ(m.exit_code, 1) << m.err;
  EXPECT_LT(m.seconds, 20);
  EXPECT_NE(m.err.find("every worker is gone"), std::string::npos) << m.err;
  auto total = stats_row(read_file(csv + "_stats.csv"), "Aggregated");
  ASSERT_FALSE(total.empty()) << m.err;
  EXPECT_GT(std::stol(total[2]), 10);
}

TEST_F(ArrloadMasterTest, AWorkerWithAnotherScenarioIsRefusedOnBothSides) {
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  std::filesystem::create_directories(dir_.file("other"));
  const std::string other = dir_.write("other/mixed.yaml", std::string(kPingerAndBreaker) + "\n#");
  const std::string port = std::to_string(test_ports::unused_loopback_port());
  Arrload master(master_args(scenario, port, host_, dir_.file("refused"),
                             {"-u", "2", "-t", "5s", "--expect-workers-max-wait", "4"}));
  ProcessResult w = run_arrload({"run", "-f", other, "--worker", "--master-port", port},
                                std::chrono::milliseconds(0), SIGTERM, std::chrono::seconds(20));
  ProcessResult m = master.wait(std::chrono::seconds(30));
  EXPECT_EQ(w.exit_code, 2) << w.err;
  EXPECT_NE(w.err.find("the master refused this worker: its scenario differs"), std::string::npos)
      << w.err;
  EXPECT_EQ(m.exit_code, 1) << m.err;
  EXPECT_NE(m.err.find("Refused worker"), std::string::npos) << m.err;
  EXPECT_NE(m.err.find("only 0 of the 1 expected workers connected within 4 s"), std::string::npos)
      << m.err;
}

// /stats/requests of the master's web UI: state, Aggregated requests, worker_count and the
// first worker's state.
struct WebView {
  std::string state;
  long requests = -1;
  long worker_count = -1;
  std::string worker_state;
};

WebView web_view(unsigned short port) {
  WebView v;
  boost::system::error_code ec;
  boost::json::value j = boost::json::parse(http_get_body(port, "/stats/requests"), ec);
  if (ec || !j.is_object()) return v;
  const boost::json::object& o = j.as_object();
  if (auto* s = o.if_contains("state"); s && s->is_string()) v.state = s->as_string().c_str();
  for (const auto& e : o.at("stats").as_array()) {
    if (e.at("name") == "Aggregated") v.requests = e.at("num_requests").to_number<long>();
  }
  if (auto* n = o.if_contains("worker_count")) v.worker_count = n->to_number<long>();
  if (auto* w = o.if_contains("workers"); w && w->is_array() && !w->as_array().empty()) {
    v.worker_state = w->as_array()[0].at("state").as_string().c_str();
  }
  return v;
}

// With the web UI the workers appear as they connect; a swarm runs on them, a stop stops them,
// and the master's SIGTERM makes them quit.
TEST_F(ArrloadMasterTest, TheWebUiListsTheWorkersAndRunsTestsOnThem) {
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  const std::string port = std::to_string(test_ports::unused_loopback_port());
  const unsigned short web = test_ports::unused_loopback_port();
  Arrload master({"run", "-f", scenario, "--master", "--master-bind-host", "127.0.0.1",
                  "--master-bind-port", port, "--web-port", std::to_string(web), "-H", host_});
  ASSERT_TRUE(eventually([&] { return web_view(web).worker_count == 0; }, std::chrono::seconds(20)))
      << master.err_so_far();
  Arrload worker({"run", "-f", scenario, "--worker", "--master-port", port, "--threads", "1"});
  ASSERT_TRUE(eventually(
      [&] {
        WebView v = web_view(web);
        return v.worker_count == 1 && v.worker_state == "ready";
      },
      std::chrono::seconds(20)))
      << master.err_so_far();
  EXPECT_EQ(http(web, "POST", "/swarm", "user_count=2&spawn_rate=2&host=" + host_).status, 200);
  EXPECT_TRUE(eventually([&] { return web_view(web).requests > 30; }, std::chrono::seconds(20)))
      << master.err_so_far() << worker.err_so_far();
  EXPECT_EQ(web_view(web).worker_state, "running");
  EXPECT_EQ(http(web, "GET", "/stop").status, 200);
  EXPECT_TRUE(
      eventually([&] { return web_view(web).state == "stopped"; }, std::chrono::seconds(30)))
      << master.err_so_far();
  const long requests = web_view(web).requests;
  master.signal(SIGTERM);
  ProcessResult m = master.wait(std::chrono::seconds(30));
  ProcessResult w = worker.wait(std::chrono::seconds(30));
  EXPECT_EQ(w.exit_code, 0) << w.err;
  EXPECT_NE(w.err.find("Got quit from the master"), std::string::npos) << w.err;
  const auto [all, failed] = reported(w.err, "Reported to the master in total");
  EXPECT_EQ(all, requests) << w.err << m.err;
}

// The master dies (SIGKILL): the worker stops its users after --master-timeout and waits; a new
// master on the same port gets it back and runs a test on it.
TEST_F(ArrloadMasterTest, AWorkerStopsWithoutItsMasterAndServesTheNextOne) {
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  const std::string port = std::to_string(test_ports::unused_loopback_port());
  auto first = std::make_unique<Arrload>(
      master_args(scenario, port, host_, dir_.file("first"), {"-u", "2", "-t", "60s"}));
  Arrload worker({"run", "-f", scenario, "--worker", "--master-port", port, "--threads", "1",
                  "--master-timeout", "1", "--master-connect-timeout", "30"});
  ASSERT_TRUE(eventually(
      [&] { return worker.err_so_far().find("All 2 users spawned") != std::string::npos; },
      std::chrono::seconds(20)))
      << worker.err_so_far();
  first->signal(SIGKILL);
  first->wait(std::chrono::seconds(60));
  ASSERT_TRUE(eventually(
      [&] { return worker.err_so_far().find("waiting for a master") != std::string::npos; },
      std::chrono::seconds(20)))
      << worker.err_so_far();
  const long idle = served();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(served(), idle + 1);  // no load without a master (only this stats request)

  const std::string csv = dir_.file("second");
  Arrload second(master_args(scenario, port, host_, csv, {"-u", "2", "-t", "2s"}));
  ProcessResult m = second.wait(std::chrono::seconds(40));
  ProcessResult w = worker.wait(std::chrono::seconds(20));
  EXPECT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(w.exit_code, 0) << w.err;
  auto total = stats_row(read_file(csv + "_stats.csv"), "Aggregated");
  ASSERT_FALSE(total.empty()) << m.err;
  EXPECT_GT(std::stol(total[2]), 10);
}

// The master's -T reaches the workers (in the spawn's parsed_options, as Locust sends it): they
// run only the tagged tasks, whatever their own command line says.
TEST_F(ArrloadMasterTest, TheMastersTagsFilterTheWorkersTasks) {
  const std::string scenario = dir_.write("tagged.yaml", R"(
users:
  - name: Pinger
    wait: constant(0.02)
    tasks:
      - {name: ping, request: GET /ping, tags: [fast]}
      - {name: status, request: GET /__target/status/204, tags: [slow]}
)");
  const std::string port = std::to_string(test_ports::unused_loopback_port());
  const std::string csv = dir_.file("tagged");
  Arrload master(master_args(scenario, port, host_, csv, {"-u", "2", "-t", "2s", "-T", "fast"}));
  Arrload worker({"run", "-f", scenario, "--worker", "--master-port", port, "--threads", "1"});
  ProcessResult m = master.wait(std::chrono::seconds(40));
  ProcessResult w = worker.wait(std::chrono::seconds(20));
  EXPECT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(w.exit_code, 0) << w.err;
  EXPECT_NE(w.err.find("The master's tags (-T fast / -E -) leave 1 of 1 user classes"),
            std::string::npos)
      << w.err;
  const std::string stats = read_file(csv + "_stats.csv");
  EXPECT_FALSE(stats_row(stats, "/ping", "GET").empty()) << stats;
  EXPECT_TRUE(stats_row(stats, "/__target/status/204", "GET").empty()) << stats;
}

TEST_F(ArrloadMasterTest, AWorkerWithAnotherFeederFileIsRefused) {
  // The same YAML, but the worker's data file holds other rows: its fingerprint differs.
  const std::string yaml = std::string(kPingerAndBreaker) + "feeders: {ids: ids.csv}\n";
  const std::string scenario = dir_.write("fed.yaml", yaml);
  dir_.write("ids.csv", "id\n1\n2\n");
  std::filesystem::create_directories(dir_.file("other"));
  const std::string other = dir_.write("other/fed.yaml", yaml);
  dir_.write("other/ids.csv", "id\n1\n3\n");
  const std::string port = std::to_string(test_ports::unused_loopback_port());
  Arrload master(master_args(scenario, port, host_, dir_.file("refused"),
                             {"-u", "2", "-t", "5s", "--expect-workers-max-wait", "4"}));
  ProcessResult w = run_arrload({"run", "-f", other, "--worker", "--master-port", port},
                                std::chrono::milliseconds(0), SIGTERM, std::chrono::seconds(20));
  ProcessResult m = master.wait(std::chrono::seconds(30));
  EXPECT_EQ(w.exit_code, 2) << w.err;
  EXPECT_NE(w.err.find("the master refused this worker: its scenario differs"), std::string::npos)
      << w.err;
  EXPECT_EQ(m.exit_code, 1) << m.err;
}

// An arrival-rate class in a cluster: each arrload worker takes a disjoint share of the
// schedule, so two workers together start the rate the master was given, not twice it.
TEST_F(ArrloadMasterTest, ArrivalRatesAreSplitAcrossWorkers) {
  const std::string scenario = dir_.write("open.yaml", R"(
users:
  - name: Open
    arrival: {rate: 100, pool: 4}
    tasks:
      - {name: ping, request: GET /ping}
)");
  const std::string port = std::to_string(test_ports::unused_loopback_port());
  const std::string csv = dir_.file("open");
  Arrload master(master_args(scenario, port, host_, csv,
                             {"--expect-workers", "2", "-t", "3s", "--arrival-rate", "60"}));
  std::vector<std::unique_ptr<Arrload>> workers;
  for (int i = 0; i < 2; ++i) {
    workers.push_back(std::make_unique<Arrload>(std::vector<std::string>{
        "run", "-f", scenario, "--worker", "--master-port", port, "--threads", "1"}));
  }
  ProcessResult m = master.wait(std::chrono::seconds(60));
  EXPECT_EQ(m.exit_code, 0) << m.err;
  for (auto& w : workers) {
    ProcessResult r = w->wait(std::chrono::seconds(30));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    // The whole schedule's rate, half the pool: the share is every second iteration.
    EXPECT_NE(r.err.find("Arrival rate: Open at 60.00 iterations per second (pool 2, up to 2;"),
              std::string::npos)
        << r.err;
  }
  auto ping = stats_row(read_file(csv + "_stats.csv"), "/ping", "GET");
  ASSERT_FALSE(ping.empty()) << m.err;
  // 60/s for 3 s; the workers' runs start and stop a little apart.
  EXPECT_NEAR(static_cast<double>(std::stol(ping[2])), 180.0, 27.0) << m.err;
}

}  // namespace
}  // namespace arrload::testing
