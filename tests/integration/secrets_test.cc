// Secrets a scenario sends (API keys, bearer tokens, cookies, tokens in query strings) appear in
// no output: every report file, the log file, the console, and every route of the web UI. The
// target echoes them back, so failed checks would quote them if nothing masked them.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "integration/harness.h"
#include "support/ports.h"
#include "web/api.h"

namespace arrload::testing {
namespace {

using namespace std::chrono_literals;

const std::vector<std::string> kSecrets = {
    "s3cr3t-apikey-1111", "s3cr3t-bearer-2222", "s3cr3t-cookie-3333",
    "s3cr3t-query-4444",  "s3cr3t-token-5555",  "s3cr3t-token-6666",
    "s3cr3t-cookie-7777", "s3cr3t-query-8888",  "s3cr3t-pass-9999"};

// Each task fails in a way whose message would show a secret: a check on an echoed header, on
// the echoed query, on the whole echoed header object, an error status of a URL with a key.
const char* kLeakyScenario = R"(
users:
  - name: Leaky
    wait: constant(0.02)
    headers: {X-Api-Key: s3cr3t-apikey-1111, Authorization: "Bearer s3cr3t-bearer-2222"}
    tasks:
      - request:
          path: /__target/echo?api_key=s3cr3t-query-4444
          query: {token: s3cr3t-token-5555}
          set_cookies: {sid: s3cr3t-cookie-3333}
          check: {$.headers.x-api-key: nope}
      - request:
          path: /__target/echo?access_token=s3cr3t-token-6666&password=s3cr3t-pass-9999
          check: {$.query: nope}
      - request:
          path: /__target/echo
          headers: {Cookie: "sid=s3cr3t-cookie-7777"}
          check: {$.headers.cookie: nope}
      - request:
          path: /__target/echo
          check: {$.headers: nope}
      - request: GET /__target/status/500?api_key=s3cr3t-query-8888
)";

// Fails the test for every secret found in TEXT, naming WHERE.
void expect_no_secret(const std::string& where, const std::string& text) {
  for (const std::string& secret : kSecrets) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << where << ":\n" << text;
  }
}

class SecretsTest : public TargetTest {};

TEST_F(SecretsTest, NoReportLogOrConsoleShowsThem) {
  const std::string scenario = dir_.write("leaky.yaml", kLeakyScenario);
  auto r = run_arrload({"run",
                        "-f",
                        scenario,
                        "--host",
                        host_,
                        "--headless",
                        "-u",
                        "3",
                        "-r",
                        "50",
                        "-t",
                        "2s",
                        "--csv",
                        dir_.file("out"),
                        "--csv-full-history",
                        "--json-file",
                        dir_.file("out.json"),
                        "--html",
                        dir_.file("out.html"),
                        "--junit",
                        dir_.file("out.xml"),
                        "--logfile",
                        dir_.file("out.log"),
                        "-L",
                        "DEBUG"},
                       0ms, SIGTERM, 60s);
  ASSERT_NE(r.exit_code, -1) << r.err;
  // The run did fail in the ways above, and the masked forms are what the reports show.
  const std::string failures = read_file(dir_.file("out_failures.csv"));
  EXPECT_NE(failures.find("/__target/echo?api_key=***&token=***"), std::string::npos) << failures;
  EXPECT_NE(failures.find("check $.headers.x-api-key: got '***'"), std::string::npos) << failures;
  EXPECT_NE(failures.find("access_token=***&password=***"), std::string::npos) << failures;
  EXPECT_NE(failures.find("for url: /__target/status/500?api_key=***"), std::string::npos)
      << failures;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.file(""))) {
    if (entry.path().extension() == ".yaml") continue;  // the scenario itself holds them
    expect_no_secret(entry.path().string(), read_file(entry.path().string()));
    ++files;
  }
  EXPECT_GE(files, 8);  // 4+ CSV files, JSON, HTML, JUnit, log
  EXPECT_GT(read_file(dir_.file("out.log")).size(), 0u);
  expect_no_secret("stdout", r.out);
  expect_no_secret("stderr", r.err);
}

// The web UI's every GET route (from its route table), while and after the test ran.
TEST_F(SecretsTest, NoWebUiRouteShowsThem) {
  const std::string scenario = dir_.write("leaky.yaml", kLeakyScenario);
  const unsigned short port = test_ports::unused_loopback_port();
  Arrload ui({"run", "-f", scenario, "--host", host_, "--web-port", std::to_string(port),
              "--autostart", "-u", "3", "-r", "50", "-t", "2s", "--csv", dir_.file("ui"),
              "--csv-full-history"});
  // Until the run has failed enough to have rows in every failure group.
  const auto until = std::chrono::steady_clock::now() + 20s;
  std::string stats;
  while (std::chrono::steady_clock::now() < until) {
    stats = http(port, "GET", "/stats/requests").body;
    if (stats.find("\"state\":\"stopped\"") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(stats.find("api_key=***"), std::string::npos) << stats;
  int routes = 0;
  for (const web::RouteName& route : web::route_names()) {
    if (route.method != "GET" || route.path == "/stop" || route.path == "/stats/reset") continue;
    Reply reply = http(port, "GET", std::string(route.path));
    EXPECT_EQ(reply.status, 200) << route.path;
    expect_no_secret(std::string(route.path), reply.headers + reply.body);
    ++routes;
  }
  EXPECT_GE(routes, 10);
  ui.signal(SIGINT);
  ProcessResult r = ui.wait(0ms, SIGTERM, 30s);
  expect_no_secret("stderr", r.err);
  expect_no_secret("stdout", r.out);
}

// The same in distributed mode: what an arrload worker sends its master, and what a Locust
// worker (whose names are its URLs with their query strings) sends, reach the master's reports
// masked.
const char* kLeakyLocustfile = R"(from locust import HttpUser, task, constant


class Leaky(HttpUser):
    wait_time = constant(0.05)

    @task
    def leak(self):
        self.client.get("/__target/status/500?api_key=s3cr3t-query-8888",
                        headers={"X-Api-Key": "s3cr3t-apikey-1111"})
)";

TEST_F(SecretsTest, NoMasterReportShowsWhatWorkersSent) {
  const std::string scenario = dir_.write("leaky.yaml", kLeakyScenario);
  const std::string locustfile = dir_.write("locustfile.py", kLeakyLocustfile);
  const std::string port = std::to_string(test_ports::unused_loopback_port());
  Arrload master(master_run_args(
      scenario, port, host_,
      {"--expect-workers", "2", "-u", "4", "-r", "10", "-t", "3s", "--csv", dir_.file("master"),
       "--json-file", dir_.file("master.json"), "--html", dir_.file("master.html")}));
  Arrload ours({"run", "-f", scenario, "--worker", "--master-port", port, "--threads", "1"});
  Arrload theirs(
      "/usr/bin/locust",
      {"-f", locustfile, "--worker", "--master-host", "127.0.0.1", "--master-port", port}, {});
  ProcessResult m = master.wait(std::chrono::seconds(60));
  ProcessResult w = ours.wait(std::chrono::seconds(30));
  ProcessResult l = theirs.wait(std::chrono::seconds(30));
  EXPECT_NE(m.err.find("(Locust) connected"), std::string::npos) << m.err;
  const std::string failures = read_file(dir_.file("master_failures.csv"));
  EXPECT_NE(failures.find("/__target/status/500?api_key=***"), std::string::npos) << failures;
  // Locust's message names the whole URL (ours the path): its rows were merged, masked.
  EXPECT_NE(failures.find("for url: http://127.0.0.1:"), std::string::npos) << failures;
  for (const std::string name : {"master_stats.csv", "master_failures.csv", "master_exceptions.csv",
                                 "master.json", "master.html"}) {
    const std::string text = read_file(dir_.file(name));
    EXPECT_FALSE(text.empty()) << name;
    expect_no_secret(name, text);
  }
  expect_no_secret("the master's stdout", m.out);
  expect_no_secret("the master's stderr", m.err);
  expect_no_secret("the worker's stderr", w.err);
}

}  // namespace
}  // namespace arrload::testing
