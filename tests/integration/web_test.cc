// The web UI's JSON API over real HTTP: the arrload binary without --headless, steering runs
// against the embedded target.
#include <unistd.h>

#include <regex>

#include <gtest/gtest.h>

#include "integration/harness.h"
#include "support/ports.h"

namespace arrload::testing {
namespace {

using namespace std::chrono_literals;

long json_number(const std::string& json, const std::string& field) {
  std::smatch m;
  if (!std::regex_search(json, m, std::regex("\"" + field + "\":(-?[0-9]+)"))) return -1;
  return std::stol(m[1]);
}

double json_double(const std::string& json, const std::string& field) {
  std::smatch m;
  if (!std::regex_search(json, m, std::regex("\"" + field + "\":(-?[0-9.Ee+-]+)"))) return -1;
  return std::stod(m[1]);
}

// The Aggregated row's request count in /stats/requests.
long aggregated_requests(const std::string& json) {
  std::smatch m;
  if (!std::regex_search(json, m,
                         std::regex("\"num_requests\":([0-9]+),[^{}]*?\"name\":\"Aggregated\"|"
                                    "\"name\":\"Aggregated\"[^{}]*?\"num_requests\":([0-9]+)"))) {
    return -1;
  }
  return std::stol(m[1].matched ? m[1] : m[2]);
}

const char* kScenario = R"(
users:
  - name: Pinger
    wait: constant(0.02)
    tasks:
      - {tags: [health], request: GET /ping}
  - name: Breaker
    weight: 1
    wait: constant(0.05)
    tasks:
      - {request: GET /__target/status/500}
)";

const char* kPingScenario =
    "users:\n"
    "  - name: Pinger\n"
    "    wait: constant(0.02)\n"
    "    tasks:\n"
    "      - request: GET /ping\n";

class WebTest : public TargetTest {
 protected:
  // Waits until GET PATH answers and PRED holds for its body; returns the last body.
  std::string wait_for(const std::string& path, const std::function<bool(const std::string&)>& pred,
                       std::chrono::seconds limit = 20s) {
    auto until = std::chrono::steady_clock::now() + limit;
    std::string body;
    while (std::chrono::steady_clock::now() < until) {
      Reply r = http(port_, "GET", path, "", auth_);
      body = r.body;
      if (r.status == 200 && pred(body)) return body;
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "timed out waiting on " << path << "; last body: " << body;
    return body;
  }

  unsigned short port_ = test_ports::unused_loopback_port();
  std::string auth_;
};

TEST_F(WebTest, StartChangeResetStopAndDownloadOverHttp) {
  std::string scenario = dir_.write("web.yaml", kScenario);
  Arrload ui({"run", "-f", scenario, "--host", host_, "--web-port", std::to_string(port_), "--csv",
              dir_.file("web")});
  wait_for("/stats/requests",
           [](const std::string& b) { return b.find("\"state\":\"ready\"") != std::string::npos; });

  Reply page = http(port_, "GET", "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.headers.find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("<form id=\"swarm\""), std::string::npos);
  // Nothing is fetched from elsewhere: no absolute URL in a src or href.
  EXPECT_EQ(page.body.find("src=\"http"), std::string::npos);
  EXPECT_EQ(page.body.find("href=\"http"), std::string::npos);

  // No report before the first test.
  Reply early = http(port_, "GET", "/stats/report");
  EXPECT_EQ(early.status, 404);
  EXPECT_NE(early.body.find("no test has run yet"), std::string::npos) << early.body;

  Reply bad = http(port_, "POST", "/swarm", "user_count=many&spawn_rate=5");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("user_count"), std::string::npos) << bad.body;

  Reply start = http(port_, "POST", "/swarm", "user_count=4&spawn_rate=100&host=&run_time=");
  EXPECT_EQ(start.status, 200) << start.body;
  EXPECT_NE(start.body.find("\"success\":true"), std::string::npos) << start.body;
  std::string live = wait_for("/stats/requests", [](const std::string& b) {
    // Each worker thread hands over its statistics once a second: wait for both classes' rows.
    return b.find("\"state\":\"running\"") != std::string::npos && aggregated_requests(b) > 20 &&
           b.find("\"name\":\"/ping\"") != std::string::npos &&
           b.find("\"error\":\"HTTPError(") != std::string::npos;
  });
  EXPECT_EQ(json_number(live, "user_count"), 4) << live;
  EXPECT_NE(live.find("\"name\":\"/ping\""), std::string::npos) << live;
  EXPECT_NE(live.find("response_time_percentile_0.95"), std::string::npos);
  EXPECT_NE(live.find("\"error\":\"HTTPError("), std::string::npos) << live;  // the 500s

  // More users while it runs: the same test, re-targeted.
  Reply more = http(port_, "POST", "/swarm", "user_count=6&spawn_rate=100");
  EXPECT_EQ(more.status, 200) << more.body;
  wait_for("/stats/requests",
           [](const std::string& b) { return json_number(b, "user_count") == 6; });

  Reply csv = http(port_, "GET", "/stats/requests/csv");
  EXPECT_EQ(csv.status, 200);
  EXPECT_NE(csv.headers.find("text/csv"), std::string::npos);
  EXPECT_FALSE(stats_row(csv.body, "Aggregated").empty()) << csv.body;
  EXPECT_FALSE(stats_row(csv.body, "/ping").empty()) << csv.body;
  Reply failures = http(port_, "GET", "/stats/failures/csv");
  EXPECT_NE(failures.body.find("/__target/status/500"), std::string::npos) << failures.body;

  // Reset: the statistics start again (their clock too), the test goes on.
  const std::string before = http(port_, "GET", "/stats/requests").body;
  const double elapsed_before = json_double(before, "elapsed_s");
  EXPECT_GE(elapsed_before, 1.5) << before;  // two ticks at least have passed
  EXPECT_EQ(http(port_, "GET", "/stats/reset").status, 200);
  std::string after = wait_for("/stats/requests", [&](const std::string& b) {
    const double elapsed = json_double(b, "elapsed_s");
    return elapsed >= 0 && elapsed < elapsed_before - 0.5;
  });
  EXPECT_NE(after.find("\"state\":\"running\""), std::string::npos) << after;

  Reply stop = http(port_, "GET", "/stop");
  EXPECT_NE(stop.body.find("\"success\":true"), std::string::npos) << stop.body;
  std::string stopped = wait_for("/stats/requests", [](const std::string& b) {
    return b.find("\"state\":\"stopped\"") != std::string::npos;
  });
  // The run's reports were written as a headless run writes them.
  std::string stats = read_file(dir_.file("web_stats.csv"));
  auto total = stats_row(stats, "Aggregated");
  ASSERT_FALSE(total.empty()) << stats;
  EXPECT_EQ(std::stol(total[2]), aggregated_requests(stopped));
  EXPECT_EQ(http(port_, "GET", "/nowhere").status, 404);

  ui.signal(SIGTERM);
  ProcessResult r = ui.wait(0ms, SIGTERM, 30s);
  EXPECT_EQ(r.exit_code, 1) << r.err;  // the last run had failures (the 500s)
}

// How many times NEEDLE occurs in HAYSTACK.
int occurrences(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST_F(WebTest, HistoryChartsAndReportsComeFromTheServer) {
  std::string scenario = dir_.write("web.yaml", kScenario);
  // The "target" is this test process (the embedded target runs in it): its memory is watched.
  Arrload ui({"run",
              "-f",
              scenario,
              "--host",
              host_,
              "--web-port",
              std::to_string(port_),
              "--autostart",
              "-u",
              "3",
              "-r",
              "100",
              "-t",
              "10m",
              "--csv",
              dir_.file("hist"),
              "--target-pid",
              std::to_string(::getpid()),
              "--recovery-wait",
              "0"});
  // Three seconds of history at least, with the target's memory sampled.
  std::string history = wait_for("/stats/history", [](const std::string& b) {
    return occurrences(b, "\"users\":") >= 3 && b.find("\"rss_mib\":") != std::string::npos;
  });
  EXPECT_NE(history.find("\"memory_source\":\"pid "), std::string::npos) << history;
  EXPECT_TRUE(std::regex_search(history, std::regex("\"rps\":[1-9]"))) << history;
  EXPECT_TRUE(std::regex_search(history, std::regex("\"cpu\":[0-9]"))) << history;
  EXPECT_TRUE(std::regex_search(history, std::regex("\"rss_mib\":[1-9]"))) << history;
  EXPECT_TRUE(std::regex_search(history, std::regex("\"p95\":[0-9]"))) << history;

  // The HTML report of the running test, inline and as a download.
  Reply page = http(port_, "GET", "/stats/report");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.headers.find("text/html"), std::string::npos);
  EXPECT_EQ(page.headers.find("Content-Disposition"), std::string::npos);
  EXPECT_NE(page.body.find("<!DOCTYPE html>"), std::string::npos);
  EXPECT_NE(page.body.find("Target memory (MiB)"), std::string::npos);
  EXPECT_NE(page.body.find("Generator CPU"), std::string::npos);
  Reply download = http(port_, "GET", "/stats/report?download=1");
  EXPECT_NE(
      download.headers.find("Content-Disposition: attachment; filename=\"arrload-report.html\""),
      std::string::npos)
      << download.headers;
  Reply running = http(port_, "GET", "/stats/report/json");
  EXPECT_EQ(running.status, 200);
  EXPECT_NE(running.body.find("\"stop_reason\":\"running\""), std::string::npos) << running.body;
  EXPECT_EQ(http(port_, "GET", "/exceptions").body, "{\"exceptions\":[]}");
  // Locust's /logs: this run's log lines, as the console shows them.
  const std::string logs = http(port_, "GET", "/logs").body;
  EXPECT_NE(logs.find("\"master\":[\"["), std::string::npos) << logs;
  EXPECT_NE(logs.find("INFO: Ramping to 3 users"), std::string::npos) << logs;
  EXPECT_NE(logs.find("\"workers\":{}"), std::string::npos) << logs;
  // Locust's /tasks: two classes of one task each, shared by the 3 running users (1 and 2).
  const std::string tasks = http(port_, "GET", "/tasks").body;
  EXPECT_NE(tasks.find("\"per_class\":{\"Pinger\":{\"ratio\":"), std::string::npos) << tasks;
  EXPECT_NE(tasks.find("\"GET /ping\":{\"ratio\":1E0}"), std::string::npos) << tasks;
  EXPECT_TRUE(std::regex_search(
      tasks, std::regex("\"total\":\\{\"Pinger\":\\{\"ratio\":([36])\\.[36]+E-1,\"tasks\":\\{\"GET "
                        "/ping\":\\{\"ratio\":\\1\\.")))
      << tasks;

  EXPECT_EQ(http(port_, "GET", "/stop").status, 200);
  wait_for("/stats/requests", [](const std::string& b) {
    return b.find("\"state\":\"stopped\"") != std::string::npos;
  });
  // After the test: the final reports agree with the CSV written to disk.
  std::string stats = read_file(dir_.file("hist_stats.csv"));
  auto total = stats_row(stats, "Aggregated");
  ASSERT_FALSE(total.empty()) << stats;
  Reply final_json = http(port_, "GET", "/stats/report/json?download=1");
  EXPECT_NE(final_json.headers.find("filename=\"arrload-report.json\""), std::string::npos);
  EXPECT_NE(final_json.body.find("\"stop_reason\":\"requested\""), std::string::npos)
      << final_json.body;
  // Stopped long before its 10 minutes: partial results, never a pass.
  EXPECT_NE(final_json.body.find("\"interrupted\":true"), std::string::npos) << final_json.body;
  EXPECT_NE(final_json.body.find("\"num_requests\":" + total[2]), std::string::npos)
      << final_json.body << "\nCSV: " << stats;
  Reply final_page = http(port_, "GET", "/stats/report");
  EXPECT_NE(final_page.body.find(total[2]), std::string::npos);
  Reply full = http(port_, "GET", "/stats/requests_full_history/csv");
  EXPECT_EQ(full.status, 200);
  EXPECT_EQ(full.body, read_file(dir_.file("hist_stats_history.csv")));
  EXPECT_NE(full.body.find("Timestamp,User Count"), std::string::npos) << full.body;

  ui.signal(SIGTERM);
  ui.wait(0ms, SIGTERM, 30s);
}

TEST_F(WebTest, WithoutCsvThereIsNoHistoryCsv) {
  std::string scenario = dir_.write("web.yaml", kScenario);
  Arrload ui({"run", "-f", scenario, "--host", host_, "--web-port", std::to_string(port_)});
  wait_for("/stats/requests",
           [](const std::string& b) { return b.find("\"state\":\"ready\"") != std::string::npos; });
  Reply none = http(port_, "GET", "/stats/requests_full_history/csv");
  EXPECT_EQ(none.status, 404);
  EXPECT_NE(none.body.find("--csv PREFIX"), std::string::npos) << none.body;
  EXPECT_EQ(http(port_, "GET", "/stats/report/json").status, 404);
  EXPECT_NE(http(port_, "GET", "/stats/history").body.find("\"points\":[]"), std::string::npos);
  ui.signal(SIGTERM);
  ui.wait(0ms, SIGTERM, 30s);
}

TEST_F(WebTest, AutoquitEndsTheProcessAfterTheTest) {
  std::string scenario = dir_.write("ping.yaml", kPingScenario);
  // As a CI job would drive the UI: start at once, quit 1 s after the 2 s test.
  ProcessResult r = run_arrload(
      {"run", "-f", scenario, "--host", host_, "--web-port", std::to_string(port_), "--autostart",
       "-u", "2", "-r", "50", "-t", "2s", "--autoquit", "1", "--csv", dir_.file("auto")},
      0ms, SIGTERM, 30s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("quitting (--autoquit)"), std::string::npos) << r.err;
  EXPECT_GE(r.seconds, 3.0);  // 2 s of test, then 1 s of UI
  EXPECT_LT(r.seconds, 15.0);
  auto total = stats_row(read_file(dir_.file("auto_stats.csv")), "Aggregated");
  ASSERT_FALSE(total.empty());
  EXPECT_GT(std::stol(total[2]), 0);
}

TEST_F(WebTest, LoginProtectsTheUiAndAutostartStartsAtOnce) {
  std::string scenario = dir_.write("ping.yaml", kPingScenario);
  Arrload ui({"run", "-f", scenario, "--host", host_, "--web-port", std::to_string(port_),
              "--web-login", "ann:secret", "--autostart", "-u", "2", "-r", "50"});
  auth_ = "Authorization: Basic YW5uOnNlY3JldA==\r\n";  // ann:secret
  wait_for("/stats/requests", [](const std::string& b) { return aggregated_requests(b) > 0; });
  Reply anonymous = http(port_, "GET", "/stats/requests");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_NE(anonymous.headers.find("WWW-Authenticate: Basic"), std::string::npos);
  Reply wrong = http(port_, "GET", "/", "", "Authorization: Basic YW5uOndyb25n\r\n");
  EXPECT_EQ(wrong.status, 401);
  ui.signal(SIGINT);
  ProcessResult r = ui.wait(0ms, SIGTERM, 30s);
  EXPECT_NE(r.err.find("SIGINT received"), std::string::npos) << r.err;
  EXPECT_EQ(r.exit_code, 0) << r.err;  // Ctrl-C stopped the autostarted run; it had no failure
}

}  // namespace
}  // namespace arrload::testing
