// End to end: a real Locust master (Debian's python3-locust, 2.12.1) drives an arrload worker
// that loads the embedded target; the master's CSV must count exactly what the worker reported.
// Loopback only; both processes are killed if they overrun.
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

// The master's locustfile only declares the classes (names and weights) it dispatches (here
// written by hand; `arrload locustfile` writes it too).
const char* kLocustfile = R"(from locust import User, task, constant


class Pinger(User):
    weight = 3
    wait_time = constant(1)

    @task
    def nothing(self):
        pass


class Breaker(User):
    weight = 1
    wait_time = constant(1)

    @task
    def nothing(self):
        pass
)";

using LocustMasterTest = TargetTest;

TEST_F(LocustMasterTest, ALocustMasterDrivesAnArrloadWorker) {
  ASSERT_TRUE(std::filesystem::exists(kLocust))
      << "Locust is missing: scripts/install-deps.sh test installs python3-locust";
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  // The master's locustfile as `arrload locustfile` writes it.
  ProcessResult stub = run_arrload({"locustfile", "-f", scenario});
  ASSERT_EQ(stub.exit_code, 0) << stub.err;
  const std::string locustfile = dir_.write("locustfile.py", stub.out);
  const std::string port = std::to_string(test_ports::unused_loopback_port());
  const std::string csv = dir_.file("master");

  Arrload master(kLocust,
                 {"-f",
                  locustfile,
                  "--master",
                  "--master-bind-host",
                  "127.0.0.1",
                  "--master-bind-port",
                  port,
                  "--expect-workers",
                  "1",
                  "--headless",
                  "-u",
                  "4",
                  "-r",
                  "4",
                  "-t",
                  "5s",
                  "-H",
                  host_,
                  "--csv",
                  csv,
                  "--exit-code-on-error",
                  "0",
                  "--only-summary"},
                 {});
  Arrload worker({"run", "-f", scenario, "--worker", "--master-host", "127.0.0.1", "--master-port",
                  port, "--threads", "1"});

  ProcessResult w = worker.wait(std::chrono::milliseconds(0), SIGTERM, std::chrono::seconds(40));
  ProcessResult m = master.wait(std::chrono::seconds(45));
  EXPECT_EQ(w.exit_code, 0) << w.err;
  EXPECT_EQ(m.exit_code, 0) << m.err;
  EXPECT_LT(w.seconds, 30);
  EXPECT_EQ(m.err.find("Traceback"), std::string::npos) << m.err;
  EXPECT_NE(w.err.find("Connected to the master"), std::string::npos) << w.err;
  EXPECT_NE(w.err.find("Spawning 4 users (Pinger: 3, Breaker: 1)"), std::string::npos) << w.err;
  EXPECT_NE(w.err.find("Got quit from the master"), std::string::npos) << w.err;

  const std::string stats = read_file(csv + "_stats.csv");
  auto ping = stats_row(stats, "/ping", "GET");
  auto broken = stats_row(stats, "/__target/status/500", "GET");
  auto total = stats_row(stats, "Aggregated");
  ASSERT_FALSE(ping.empty()) << stats << m.err;
  ASSERT_FALSE(broken.empty()) << stats;
  ASSERT_FALSE(total.empty()) << stats;
  EXPECT_GT(std::stol(ping[2]), 20);
  EXPECT_EQ(ping[3], "0");
  EXPECT_GT(std::stol(broken[2]), 5);
  EXPECT_EQ(broken[2], broken[3]);  // every request to the 500 route failed

  // The master counted exactly what the worker says it reported, per endpoint and in all.
  EXPECT_EQ(reported(w.err, "Reported GET /ping"),
            std::make_pair(std::stol(ping[2]), std::stol(ping[3])))
      << w.err;
  EXPECT_EQ(reported(w.err, "Reported GET /__target/status/500"),
            std::make_pair(std::stol(broken[2]), std::stol(broken[3])))
      << w.err;
  const auto [all, failed] = reported(w.err, "Reported to the master in total");
  EXPECT_EQ(all, std::stol(total[2])) << w.err;
  EXPECT_EQ(failed, std::stol(total[3])) << w.err;
  // And that is what the target answered, but for at most one request in flight per user when
  // the users were stopped (abandoned, as Locust does, and not counted).
  const long answered = served();
  EXPECT_LE(all, answered);
  EXPECT_GE(all, answered - 4);

  // Errors travel too: the master's failures file has the worker's error, with its count.
  const std::string failures = read_file(csv + "_failures.csv");
  EXPECT_NE(failures.find("/__target/status/500"), std::string::npos) << failures;
  EXPECT_NE(failures.find("," + broken[3]), std::string::npos) << failures;
}

// The master's /stats/requests: state, the Aggregated request count, the worker's state.
struct MasterView {
  std::string state;
  long requests = -1;
  std::string worker_state;
};

MasterView master_view(unsigned short web_port) {
  MasterView v;
  boost::system::error_code ec;
  boost::json::value j = boost::json::parse(http_get_body(web_port, "/stats/requests"), ec);
  if (ec || !j.is_object()) return v;
  const boost::json::object& o = j.as_object();
  if (auto* s = o.if_contains("state"); s && s->is_string()) v.state = s->as_string().c_str();
  if (auto* stats = o.if_contains("stats"); stats && stats->is_array()) {
    for (const auto& e : stats->as_array()) {
      if (e.at("name") == "Aggregated") v.requests = e.at("num_requests").to_number<long>();
    }
  }
  if (auto* w = o.if_contains("workers"); w && w->is_array() && !w->as_array().empty()) {
    v.worker_state = w->as_array()[0].at("state").as_string().c_str();
  }
  return v;
}

// Locust's web UI steers the master: a swarm, a stop, a second swarm with other numbers, then
// SIGTERM on the master. The worker runs, stops, is ready again, runs again and quits; the
// requests of both runs reach the master.
TEST_F(LocustMasterTest, StopThenSpawnAgainFromLocustsWebUi) {
  ASSERT_TRUE(std::filesystem::exists(kLocust)) << "scripts/install-deps.sh test installs Locust";
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  const std::string locustfile = dir_.write("locustfile.py", kLocustfile);
  const std::string port = std::to_string(test_ports::unused_loopback_port());
  const unsigned short web = test_ports::unused_loopback_port();
  const std::string csv = dir_.file("web");
  Arrload master(kLocust,
                 {"-f", locustfile, "--master", "--master-bind-host", "127.0.0.1",
                  "--master-bind-port", port, "--web-host", "127.0.0.1", "--web-port",
                  std::to_string(web), "-H", host_, "--csv", csv, "--exit-code-on-error", "0"},
                 {});
  Arrload worker({"run", "-f", scenario, "--worker", "--master-port", port, "--threads", "1"});
  ASSERT_TRUE(eventually([&] { return master_view(web).worker_state == "ready"; },
                         std::chrono::seconds(20)))
      << worker.err_so_far();

  EXPECT_EQ(http(web, "POST", "/swarm", "user_count=4&spawn_rate=4&host=" + host_).status, 200);
  EXPECT_TRUE(eventually([&] { return master_view(web).requests > 50; }, std::chrono::seconds(20)))
      << worker.err_so_far();
  EXPECT_EQ(http(web, "GET", "/stop").status, 200);
  // The worker reports its last requests, then says it stopped and is ready again.
  EXPECT_TRUE(eventually([&] { return master_view(web).worker_state == "ready"; },
                         std::chrono::seconds(20)))
      << worker.err_so_far();
  const long first_run = master_view(web).requests;

  EXPECT_EQ(http(web, "POST", "/swarm", "user_count=2&spawn_rate=10&host=" + host_).status, 200);
  EXPECT_TRUE(eventually(
      [&] {
        MasterView v = master_view(web);
        return v.state == "running" && v.requests > 20;
      },
      std::chrono::seconds(20)))
      << worker.err_so_far();
  master.signal(SIGTERM);  // Locust's master quits: it sends quit to its workers
  ProcessResult w = worker.wait(std::chrono::milliseconds(0), SIGTERM, std::chrono::seconds(60));
  ProcessResult m = master.wait(std::chrono::seconds(60));
  EXPECT_EQ(w.exit_code, 0) << w.err;
  EXPECT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(m.err.find("Traceback"), std::string::npos) << m.err;
  EXPECT_NE(w.err.find("Spawning 4 users (Pinger: 3, Breaker: 1)"), std::string::npos) << w.err;
  EXPECT_NE(w.err.find("Users stopped; ready for the next spawn"), std::string::npos) << w.err;
  EXPECT_NE(w.err.find("Spawning 2 users (Pinger: 1, Breaker: 1)"), std::string::npos) << w.err;

  // The master's CSV holds the second run (a new swarm resets its statistics); with the first
  // run's count it is everything the worker reported.
  auto total = stats_row(read_file(csv + "_stats.csv"), "Aggregated");
  ASSERT_FALSE(total.empty()) << m.err;
  const auto [all, failed] = reported(w.err, "Reported to the master in total");
  EXPECT_GT(first_run, 50);
  EXPECT_EQ(all, first_run + std::stol(total[2])) << w.err;
}

// The master dies mid-run (SIGKILL: no quit message): the worker notices the connection is
// gone, stops its users after --master-timeout and exits 1; the target sees no more load.
TEST_F(LocustMasterTest, AWorkerWhoseMasterDiesStopsItsUsers) {
  ASSERT_TRUE(std::filesystem::exists(kLocust)) << "scripts/install-deps.sh test installs Locust";
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  const std::string locustfile = dir_.write("locustfile.py", kLocustfile);
  const std::string port = std::to_string(test_ports::unused_loopback_port());
  Arrload master(
      kLocust,
      {"-f", locustfile, "--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", port,
       "--expect-workers", "1", "--headless", "-u", "4", "-r", "4", "-t", "60s", "-H", host_},
      {});
  Arrload worker({"run", "-f", scenario, "--worker", "--master-port", port, "--threads", "1",
                  "--master-timeout", "2", "--master-connect-timeout", "2"});
  ASSERT_TRUE(eventually(
      [&] { return worker.err_so_far().find("All 4 users spawned") != std::string::npos; },
      std::chrono::seconds(20)))
      << worker.err_so_far();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  master.signal(SIGKILL);
  master.wait(std::chrono::seconds(60));  // the limit counts from its start
  ProcessResult w = worker.wait(std::chrono::milliseconds(0), SIGTERM, std::chrono::seconds(20));
  EXPECT_EQ(w.exit_code, 1) << w.err;
  EXPECT_NE(w.err.find("Lost the connection to the master"), std::string::npos) << w.err;
  EXPECT_NE(w.err.find("has been unreachable for 2 s: stopping the users"), std::string::npos)
      << w.err;
  EXPECT_NE(w.err.find("No master came back at tcp://127.0.0.1:" + port + " within 2 s"),
            std::string::npos)
      << w.err;
  const long after_exit = served();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(served(), after_exit + 1);  // only the first of these two stats requests
}

TEST(LocustWorkerTest, NoMasterMeansAClearErrorAndExitStatusOne) {
  TempDir dir;
  const std::string scenario = dir.write("mixed.yaml", kPingerAndBreaker);
  const std::string port = std::to_string(test_ports::unused_loopback_port());
  ProcessResult r = run_arrload({"run", "-f", scenario, "--worker", "--master-port", port},
                                std::chrono::milliseconds(0), SIGTERM, std::chrono::seconds(20),
                                {"ARRLOAD_MASTER_CONNECT_TIMEOUT=2"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_LT(r.seconds, 10);
  EXPECT_NE(r.err.find("No Locust master answered at tcp://127.0.0.1:" + port), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace arrload::testing
