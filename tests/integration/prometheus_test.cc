// GET /metrics during real runs against the embedded target, scraped over HTTP and read with
// Prometheus's own Python client's parser (Debian's python3-prometheus-client, through
// tests/integration/prometheus_check.py): a headless run's --prometheus-port, the web UI's port
// behind --web-login, and a cluster worker's --prometheus-port.
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <gtest/gtest.h>

#include "integration/harness.h"
#include "support/ports.h"

namespace arrload::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPython = "/usr/bin/python3";
const std::string kChecker =
    std::string(ARRLOAD_SOURCE_DIR) + "/tests/integration/prometheus_check.py";
constexpr const char* kStopped = "arrload_run_state{state=\"stopped\"} 1";

class PrometheusTest : public TargetTest {
 protected:
  void SetUp() override {
    TargetTest::SetUp();
    ASSERT_EQ(std::system("/usr/bin/python3 -c 'import prometheus_client.parser' 2>/dev/null"), 0)
        << "scripts/install-deps.sh test installs python3-prometheus-client";
  }

  // Scrapes GET /metrics on PORT every 300 ms (with EXTRA_HEADERS) into files until a scrape says
  // the run stopped (that one is the last) or LIMIT passes; returns the files, in order.
  std::vector<std::string> scrape_until_stopped(unsigned short port,
                                                const std::string& extra_headers = "",
                                                std::chrono::seconds limit = 60s) {
    const std::string prefix = "scrape_" + std::to_string(port) + "_";
    std::vector<std::string> files;
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      Reply r = http(port, "GET", "/metrics", "", extra_headers);
      if (r.status == 200) {
        EXPECT_NE(r.headers.find("text/plain; version=0.0.4"), std::string::npos) << r.headers;
        files.push_back(dir_.write(prefix + std::to_string(files.size()) + ".txt", r.body));
        if (r.body.find(kStopped) != std::string::npos) return files;
      }
      std::this_thread::sleep_for(300ms);
    }
    ADD_FAILURE() << "no scrape said the run stopped";
    return files;
  }

  // prometheus_check.py's verdict on FILES.
  boost::json::object check(const std::vector<std::string>& files) {
    std::vector<std::string> args{kChecker};
    args.insert(args.end(), files.begin(), files.end());
    Arrload checker(kPython, args, {});
    ProcessResult r = checker.wait(60s);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(r.out, ec);
    if (ec || !v.is_object()) {
      ADD_FAILURE() << "checker output: " << r.out << r.err;
      return {};
    }
    return v.as_object();
  }

  // The Aggregated row's Request Count in PREFIX_stats.csv.
  static long csv_requests(const std::string& prefix) {
    auto row = stats_row(read_file(prefix + "_stats.csv"), "Aggregated");
    return row.size() > 2 ? std::stol(row[2]) : -1;
  }
};

double number(const boost::json::object& o, const char* key) {
  return o.contains(key) ? o.at(key).to_number<double>() : -1;
}

// kPingerAndBreaker and an arrival-rate class, whose requests have corrected times too.
const std::string kWithOpenClass = std::string(kPingerAndBreaker) + R"(
  - name: Scheduled
    arrival: {rate: 20, pool: 2, max_pool: 2}
    tasks:
      - {name: scheduled, request: GET /health}
)";

TEST_F(PrometheusTest, AHeadlessRunsScrapesParseRiseAndEndAtTheCsvsTotal) {
  const std::string scenario = dir_.write("mixed.yaml", kWithOpenClass);
  const std::string csv = dir_.file("run");
  const unsigned short port = test_ports::unused_loopback_port();
  Arrload run({"run", "-f", scenario, "--headless", "-H", host_, "-u", "4", "-r", "4", "-t", "4s",
               "--csv", csv, "--only-summary", "--prometheus-port", std::to_string(port),
               "--prometheus-linger", "30s"});
  const std::vector<std::string> files = scrape_until_stopped(port);
  run.signal(SIGTERM);  // ends the linger
  ProcessResult r = run.wait(30s);
  EXPECT_EQ(r.exit_code, 1) << r.err;  // Breaker's requests fail, no budgets: status 1
  EXPECT_NE(r.err.find("Prometheus metrics on http://127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << r.err;
  ASSERT_GE(files.size(), 5u);
  boost::json::object v = check(files);
  EXPECT_GE(number(v, "rising_scrapes"), 3);
  EXPECT_GE(number(v, "histogram_series_checked"), static_cast<double>(files.size()));
  EXPECT_EQ(v["final_state"], "stopped");
  const boost::json::array& names = v["names"].as_array();
  for (const char* name :
       {"arrload_corrected_response_time_seconds_bucket", "arrload_scheduled_iterations_total",
        "arrload_users", "process_cpu_seconds_total", "arrload_generator_cpu_cores"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), boost::json::value(name)), names.end()) << name;
  }
  const long requests = csv_requests(csv);
  ASSERT_GT(requests, 0);
  EXPECT_EQ(number(v, "final_requests"), requests);
  EXPECT_EQ(number(v, "final_response_time_count"), requests);
  // Every Breaker request failed with one message; the failures are those requests.
  auto breaker = stats_row(read_file(csv + "_stats.csv"), "/__target/status/500");
  ASSERT_GT(breaker.size(), 3u);
  EXPECT_EQ(number(v, "final_failures"), std::stol(breaker[3]));
  EXPECT_EQ(number(v, "final_errors"), std::stol(breaker[3]));
}

TEST_F(PrometheusTest, TheWebUisMetricsNeedTheLoginAndMatchItsCsv) {
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  const std::string csv = dir_.file("web");
  const unsigned short port = test_ports::unused_loopback_port();
  Arrload ui({"run",
              "-f",
              scenario,
              "-H",
              host_,
              "--web-port",
              std::to_string(port),
              "--web-login",
              "ops:s3cret",
              "--autostart",
              "-u",
              "3",
              "-r",
              "3",
              "-t",
              "3s",
              "--csv",
              csv,
              "--autoquit",
              "30"});
  ASSERT_TRUE(eventually([&] { return http(port, "GET", "/metrics").status != 0; }, 20s))
      << ui.err_so_far();
  Reply anonymous = http(port, "GET", "/metrics");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.body.find("arrload_"), std::string::npos);
  // ops:s3cret
  const std::string auth = "Authorization: Basic b3BzOnMzY3JldA==\r\n";
  const std::vector<std::string> files = scrape_until_stopped(port, auth);
  ASSERT_GE(files.size(), 3u);
  boost::json::object v = check(files);
  EXPECT_EQ(v["final_state"], "stopped");
  // The CSV is written just before the state turns to stopped.
  ASSERT_TRUE(eventually([&] { return csv_requests(csv) > 0; }, 10s));
  EXPECT_EQ(number(v, "final_requests"), csv_requests(csv));
  ui.signal(SIGTERM);
  ui.wait(30s);
}

TEST_F(PrometheusTest, AWorkerExportsItsOwnNumbersAndTheMasterTheMergedOnes) {
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  const std::string csv = dir_.file("cluster");
  const std::string master_port = std::to_string(test_ports::unused_loopback_port());
  const unsigned short worker_metrics = test_ports::unused_loopback_port();
  const unsigned short master_metrics = test_ports::unused_loopback_port();
  Arrload master(master_run_args(
      scenario, master_port, host_,
      {"--csv", csv, "--only-summary", "--expect-workers", "1", "-u", "3", "-r", "3", "-t", "3s",
       "--prometheus-port", std::to_string(master_metrics), "--prometheus-linger", "30s"}));
  Arrload worker({"run", "-f", scenario, "--worker", "--master-port", master_port, "--threads", "1",
                  "--prometheus-port", std::to_string(worker_metrics), "--prometheus-linger",
                  "30s"});
  const std::vector<std::string> worker_files = scrape_until_stopped(worker_metrics);
  const std::vector<std::string> master_files = scrape_until_stopped(master_metrics);
  ASSERT_FALSE(worker_files.empty());
  ASSERT_FALSE(master_files.empty());
  // The master writes its CSV before it turns to stopped; lingering, it still serves.
  ASSERT_TRUE(eventually([&] { return csv_requests(csv) > 0; }, 10s));
  master.signal(SIGTERM);
  ProcessResult m = master.wait(30s);
  EXPECT_EQ(m.exit_code, 1) << m.err;  // Breaker's requests fail, no budgets: status 1
  // The only worker: its own final numbers are all the master merged.
  boost::json::object w = check(worker_files);
  EXPECT_EQ(w["final_state"], "stopped");
  EXPECT_EQ(number(w, "final_requests"), csv_requests(csv));
  boost::json::object v = check(master_files);
  EXPECT_EQ(v["final_state"], "stopped");
  EXPECT_EQ(number(v, "final_requests"), csv_requests(csv));
  worker.signal(SIGTERM);
  ProcessResult r = worker.wait(30s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace arrload::testing
