// End to end: the arrload binary against the embedded target on 127.0.0.1.
#include <regex>

#include <gtest/gtest.h>

#include "integration/harness.h"
#include "target/server.h"

namespace arrload::testing {
namespace {

using RunTest = TargetTest;

const char* kMixedScenario = R"(
users:
  - name: Pinger
    weight: 3
    wait: constant(0.01)
    tasks:
      - {name: ping, tags: [health], request: GET /ping}
  - name: Breaker
    weight: 1
    wait: constant(0.05)
    tasks:
      - {name: broken, tags: [errors], request: GET /__target/status/500}
)";

TEST_F(RunTest, CountsMatchTheServerAndCsvHasLocustsShape) {
  std::string scenario = dir_.write("mixed.yaml", kMixedScenario);
  auto r = run_arrload({"run", "-f", scenario, "--host", host_, "-u", "4", "-r", "4", "-t", "3s",
                        "--headless", "--csv", dir_.file("out"), "--json-file",
                        dir_.file("out.json"), "--only-summary"});
  EXPECT_EQ(r.exit_code, 1) << r.err;  // requests failed: Locust's --exit-code-on-error default
  EXPECT_LT(r.seconds, 15);
  std::string stats = read_file(dir_.file("out_stats.csv"));
  auto header = split_cells(split_lines(stats).at(0));
  ASSERT_EQ(header.size(), 22u);
  EXPECT_EQ(header[2], "Request Count");
  auto ping = stats_row(stats, "/ping", "GET");
  auto broken = stats_row(stats, "/__target/status/500", "GET");
  auto total = stats_row(stats, "Aggregated");
  ASSERT_FALSE(ping.empty()) << stats;
  ASSERT_FALSE(broken.empty()) << stats;
  ASSERT_FALSE(total.empty()) << stats;
  EXPECT_EQ(ping[3], "0");
  EXPECT_EQ(broken[2], broken[3]);  // every request to the 500 route failed
  long total_requests = std::stol(total[2]);
  EXPECT_EQ(total_requests, std::stol(ping[2]) + std::stol(broken[2]));
  EXPECT_GT(std::stol(ping[2]), 20);
  // Every request the server answered is in the final CSV, except at most one in flight per user
  // when the run stopped (abandoned, like Locust, and not counted).
  long answered = served();
  EXPECT_LE(total_requests, answered);
  EXPECT_GE(total_requests, answered - 4);

  std::string failures = read_file(dir_.file("out_failures.csv"));
  EXPECT_NE(failures.find("GET,/__target/status/500,HTTPError('500 Server Error: Internal Server "
                          "Error for url: /__target/status/500')," +
                          broken[3]),
            std::string::npos)
      << failures;
  EXPECT_EQ(split_lines(read_file(dir_.file("out_exceptions.csv"))).at(0),
            "Count,Message,Traceback,Nodes");
  auto history = split_lines(read_file(dir_.file("out_stats_history.csv")));
  EXPECT_GE(history.size(), 3u);  // header + a row per second

  std::string json = read_file(dir_.file("out.json"));
  EXPECT_NE(json.find("\"Pinger\":3"), std::string::npos) << json;
  EXPECT_NE(json.find("\"Breaker\":1"), std::string::npos) << json;
  EXPECT_NE(json.find("\"num_requests\":" + total[2]), std::string::npos) << json;
}

TEST_F(RunTest, NoSubcommandMeansRunAndCleanRunsExitZero) {
  std::string scenario = dir_.write("mixed.yaml", kMixedScenario);
  auto r = run_arrload({"-f", scenario, "--host", host_, "-u", "2", "-r", "10", "-t", "2s",
                        "--headless", "-T", "health", "--csv", dir_.file("tagged")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string stats = read_file(dir_.file("tagged_stats.csv"));
  EXPECT_FALSE(stats_row(stats, "/ping").empty());
  EXPECT_TRUE(stats_row(stats, "/__target/status/500").empty())
      << "-T health kept an untagged task";
  EXPECT_NE(r.out.find("Aggregated"), std::string::npos);  // the live table and summary
}

TEST_F(RunTest, ExcludeTagsAndCustomExitCode) {
  std::string scenario = dir_.write("mixed.yaml", kMixedScenario);
  auto r = run_arrload({"run", "--headless", "-f", scenario, "--host", host_, "-u", "2", "-r", "10",
                        "-t", "2s", "-E", "health", "--exit-code-on-error", "7", "--csv",
                        dir_.file("x")});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  std::string stats = read_file(dir_.file("x_stats.csv"));
  EXPECT_TRUE(stats_row(stats, "/ping").empty());
  EXPECT_FALSE(stats_row(stats, "/__target/status/500").empty());
}

TEST_F(RunTest, SigtermMidRunStillWritesEveryReport) {
  std::string scenario = dir_.write("mixed.yaml", kMixedScenario);
  auto r =
      run_arrload({"run", "--headless", "-f", scenario, "--host", host_, "-u", "4", "-r", "100",
                   "-t", "60s", "--csv", dir_.file("cut"), "--json-file", dir_.file("cut.json")},
                  std::chrono::milliseconds(2500));
  EXPECT_LT(r.seconds, 10) << "SIGTERM did not stop the run promptly";
  EXPECT_EQ(r.exit_code, 105) << r.err;  // interrupted before its planned end (-t 60s)
  std::string stats = read_file(dir_.file("cut_stats.csv"));
  auto total = stats_row(stats, "Aggregated");
  ASSERT_FALSE(total.empty()) << stats;
  long answered = served();
  EXPECT_LE(std::stol(total[2]), answered);
  EXPECT_GE(std::stol(total[2]), answered - 4);
  EXPECT_NE(read_file(dir_.file("cut.json")).find("\"stop_reason\":\"signal\""), std::string::npos);
  EXPECT_GE(split_lines(read_file(dir_.file("cut_stats_history.csv"))).size(), 2u);
}

TEST_F(RunTest, SigtermBeforeTheLoadStartsStillWritesReportsAndSkipsLaterProfiles) {
  // The pre-flight waits on a health check that answers after 4 s: SIGTERM arrives during it.
  std::string scenario = dir_.write("prof.yaml", std::string(kMixedScenario) +
                                                     "profiles:\n"
                                                     "  first: {users: 2, run_time: 30s}\n"
                                                     "  second: {users: 2, run_time: 30s}\n");
  auto r = run_arrload({"run", "--headless", "-f", scenario, "--host", host_, "--profile",
                        "first,second", "--health", "/__target/sleep/4000", "--preflight-timeout",
                        "20s", "--csv", dir_.file("early"), "--json-file", dir_.file("early.json")},
                       std::chrono::milliseconds(700));
  EXPECT_LT(r.seconds, 3) << "SIGTERM did not end the pre-flight";
  EXPECT_NE(r.err.find("interrupted; not running the remaining profiles"), std::string::npos)
      << r.err;
  // The first profile's reports exist (no request was sent), the second's do not.
  std::string stats = read_file(dir_.file("early_first_stats.csv"));
  auto total = stats_row(stats, "Aggregated");
  ASSERT_FALSE(total.empty()) << stats << r.err;
  EXPECT_EQ(total[2], "0");
  EXPECT_NE(read_file(dir_.file("early_first.json")).find("\"stop_reason\":\"signal\""),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_.file("early_second_stats.csv")));
  EXPECT_LE(served(), 1);  // no load: at most the aborted health check
}

TEST_F(RunTest, BadScenarioSendsNoTrafficAndNamesTheLine) {
  std::string scenario = dir_.write("typo.yaml",
                                    "users:\n"
                                    "  - name: A\n"
                                    "    wait: between(1, 2)\n"
                                    "    tasks:\n"
                                    "      - {name: ping, wieght: 2, request: GET /ping}\n");
  auto r =
      run_arrload({"run", "--headless", "-f", scenario, "--host", host_, "-u", "1", "-t", "2s"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("typo.yaml:5"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("wieght"), std::string::npos) << r.err;
  EXPECT_EQ(served(), 0);
  auto v = run_arrload({"validate", "-f", scenario});
  EXPECT_EQ(v.exit_code, 2);
}

TEST_F(RunTest, UsageErrorsExitTwo) {
  std::string scenario = dir_.write("mixed.yaml", kMixedScenario);
  EXPECT_EQ(run_arrload({"run", "--headless", "-f", scenario, "-t", "ten minutes"}).exit_code, 2);
  EXPECT_EQ(run_arrload({"run", "--headless", "-f", scenario, "--no-such-flag"}).exit_code, 2);
  EXPECT_EQ(run_arrload({"run", "--headless", "-f", scenario, "--host", "ftp://x"}).exit_code, 2);
  EXPECT_EQ(run_arrload({"validate", "-f", scenario}).exit_code, 0);
  auto web = run_arrload({"-f", scenario, "--host", host_, "--web-port", "70000"});
  EXPECT_EQ(web.exit_code, 2);
  EXPECT_NE(web.err.find("--web-port"), std::string::npos) << web.err;
  auto help = run_arrload({"run", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag : {"--users", "--spawn-rate", "--run-time", "--tags", "--exclude-tags",
                           "--loglevel", "--csv-full-history", "--stop-timeout", "--config"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
  }
}

TEST_F(RunTest, TimeoutsAndRefusedConnectionsAreFailuresNotCrashes) {
  std::string scenario =
      dir_.write("slow.yaml",
                 "users:\n"
                 "  - name: Slow\n"
                 "    wait: constant(0.1)\n"
                 "    tasks:\n"
                 "      - request: {path: /__target/sleep/2000, timeout: 200ms}\n");
  auto r = run_arrload({"run", "--headless", "-f", scenario, "--host", host_, "-u", "1", "-t", "2s",
                        "--csv", dir_.file("slow")});
  EXPECT_EQ(r.exit_code, 1);
  std::string failures = read_file(dir_.file("slow_failures.csv"));
  EXPECT_NE(failures.find("TimeoutError"), std::string::npos) << failures;

  // A port nothing listens on: bind one, note it, close it.
  target::Options opts;
  opts.port = 0;
  auto closed = std::make_unique<target::Server>(opts);
  closed->start();
  std::string dead = "http://127.0.0.1:" + std::to_string(closed->port());
  closed->stop();
  auto refused = run_arrload({"run", "--headless", "-f", scenario, "--host", dead, "-u", "1", "-t",
                              "1s", "--csv", dir_.file("dead")});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(read_file(dir_.file("dead_failures.csv")).find("ConnectionRefusedError"),
            std::string::npos);
}

TEST_F(RunTest, ConfigFileAndEnvironmentSupplyOptions) {
  std::string scenario = dir_.write("mixed.yaml", kMixedScenario);
  std::string conf = dir_.write("arrload.conf",
                                "users = 3\nspawn-rate = 10\nrun-time = 1s\n"
                                "headless = true\ntags = health\n");
  std::string json = dir_.file("conf.json");
  auto r = run_arrload({"--config", conf, "-f", scenario, "--json-file", json}, {}, SIGTERM,
                       std::chrono::seconds(30), {"ARRLOAD_HOST=" + host_, "ARRLOAD_USERS=2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string text = read_file(json);
  EXPECT_NE(text.find("\"user_count\":2"), std::string::npos) << text;  // env beats the file
  EXPECT_NE(text.find(host_), std::string::npos);
}

// Locust's Helm chart and manifests configure Locust through LOCUST_* variables: the same
// deployment runs arrload. ARRLOAD_* variables win over them, the command line over both.
TEST_F(RunTest, LocustEnvironmentVariablesAreReadAndOursWin) {
  std::string scenario = dir_.write("mixed.yaml", kMixedScenario);
  const std::vector<std::string> locust_env = {"LOCUST_LOCUSTFILE=" + scenario,
                                               "LOCUST_HOST=" + host_,
                                               "LOCUST_USERS=3",
                                               "LOCUST_SPAWN_RATE=10",
                                               "LOCUST_RUN_TIME=1s",
                                               "LOCUST_HEADLESS=true",
                                               "LOCUST_TAGS=health"};
  std::string json = dir_.file("locust.json");
  auto r = run_arrload({"--json-file", json}, {}, SIGTERM, std::chrono::seconds(30), locust_env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(read_file(json).find("\"user_count\":3"), std::string::npos) << read_file(json);
  std::vector<std::string> both = locust_env;
  both.push_back("ARRLOAD_USERS=2");
  auto ours = run_arrload({"--json-file", json}, {}, SIGTERM, std::chrono::seconds(30), both);
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_NE(read_file(json).find("\"user_count\":2"), std::string::npos) << read_file(json);
}

}  // namespace
}  // namespace arrload::testing
