// The judge end to end: the real binary against the embedded target with fault knobs set,
// budgets from the command line and a file, the verdict in the exit status, JSON and JUnit.
#include <gtest/gtest.h>

#include "harness.h"

namespace arrload::testing {
namespace {

constexpr const char* kScenario = R"(users:
  - name: U
    wait: constant(0.02)
    tasks:
      - {category: health, request: GET /health}
      - {category: read, request: GET /api/v1/shows/}
)";

class JudgeTest : public ::testing::Test {
 protected:
  void start(target::FaultConfig faults) {
    target::Options opts;
    opts.port = 0;
    opts.latency_scale = 0;
    opts.faults = faults;
    server_ = std::make_unique<target::Server>(opts);
    server_->start();
    host_ = "http://127.0.0.1:" + std::to_string(server_->port());
    scenario_ = dir_.write("s.yaml", kScenario);
  }
  void TearDown() override {
    if (server_) server_->stop();
  }
  ProcessResult run(std::vector<std::string> extra) {
    std::vector<std::string> args = {"run",
                                     "-f",
                                     scenario_,
                                     "--host",
                                     host_,
                                     "-u",
                                     "4",
                                     "-r",
                                     "100",
                                     "-t",
                                     "3s",
                                     "--headless",
                                     "--only-summary",
                                     "--json-file",
                                     dir_.file("r.json"),
                                     "--junit",
                                     dir_.file("r.xml")};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_arrload(args);
  }

  std::unique_ptr<target::Server> server_;
  std::string host_, scenario_;
  TempDir dir_;
};

TEST_F(JudgeTest, CleanRunPasses) {
  start({});
  auto r = run(
      {"--budget", "health:p95<500ms", "--budget", "read:p95<500ms", "--budget", "error_rate<1%"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS (3 checks)"), std::string::npos) << r.out;
  EXPECT_NE(read_file(dir_.file("r.json")).find("\"verdict\":{\"pass\":true"), std::string::npos);
  std::string xml = read_file(dir_.file("r.xml"));
  EXPECT_NE(xml.find("tests=\"3\" failures=\"0\""), std::string::npos) << xml;
}

TEST_F(JudgeTest, WindowedBudgetsAreJudgedInEveryWindow) {
  target::FaultConfig f;
  f.added_latency_ms = 60;
  start(f);
  auto r = run({"--budget", "read:p95<30ms every 1s", "--budget", "rps>=1 every 1s"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("p95 < 30 ms in every 1 s window"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("worst of "), std::string::npos) << r.out;
  std::string json = read_file(dir_.file("r.json"));
  EXPECT_NE(json.find("\"window_s\":1"), std::string::npos) << json;
  EXPECT_NE(json.find("\"windows\":{\"judged\":"), std::string::npos) << json;
  std::string xml = read_file(dir_.file("r.xml"));
  EXPECT_NE(xml.find("tests=\"2\" failures=\"1\""), std::string::npos) << xml;
}

TEST_F(JudgeTest, InjectedLatencyFailsOnlyTheTightCategory) {
  target::FaultConfig f;
  f.added_latency_ms = 60;
  start(f);
  // Both routes slow down by 60 ms: only the category whose budget that breaks fails.
  auto r = run({"--budget", "health:p95<500ms", "--budget", "read:p95<30ms"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("FAIL (1 of 2 checks failed; exit status 3)"), std::string::npos) << r.out;
  std::string xml = read_file(dir_.file("r.xml"));
  EXPECT_NE(xml.find("tests=\"2\" failures=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure type=\"budget\" message=\"GET /api/v1/shows/: p95 is"),
            std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("message=\"GET /health"), std::string::npos) << xml;
}

TEST_F(JudgeTest, AbortOnFailStopsEarlyAndStillWritesEverything) {
  target::FaultConfig f;
  f.added_latency_ms = 60;
  start(f);
  auto r = run_arrload({"run",
                        "-f",
                        scenario_,
                        "--host",
                        host_,
                        "-u",
                        "4",
                        "-r",
                        "100",
                        "-t",
                        "60s",
                        "--headless",
                        "--only-summary",
                        "--budget",
                        "read:p95<30ms",
                        "--abort-on-fail",
                        "--abort-grace",
                        "1s",
                        "--json-file",
                        dir_.file("a.json"),
                        "--csv",
                        dir_.file("a")});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_LT(r.seconds, 20);
  EXPECT_NE(r.err.find("Budget breached, stopping the run (--abort-on-fail): GET /api/v1/shows/"),
            std::string::npos)
      << r.err;
  EXPECT_NE(read_file(dir_.file("a.json")).find("\"stop_reason\":\"abort_on_fail\""),
            std::string::npos);
  EXPECT_FALSE(stats_row(read_file(dir_.file("a_stats.csv")), "Aggregated").empty());
}

TEST_F(JudgeTest, InjectedErrorsFailTheErrorRate) {
  target::FaultConfig f;
  f.error_ratio_read = 0.05;
  start(f);
  auto r = run({"--budget", "error_rate<1%", "--budget", "read:p95<500ms"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.out.find("error_rate < 1%"), std::string::npos) << r.out;
  EXPECT_NE(read_file(dir_.file("r.xml")).find("run: error_rate is"), std::string::npos);
}

TEST_F(JudgeTest, BudgetsFileBesideTheSuiteIsUsedAndFlagsOverrideIt) {
  start({});
  TempDir suite;
  suite.write("suite.yaml", kScenario);
  suite.write("budgets.yaml", "categories:\n  read: [p95<1us]\nrun: [error_rate<1%]\n");
  std::string dir = suite.file("");
  auto r = run_arrload({"run", "-f", dir, "--host", host_, "-u", "2", "-r", "100", "-t", "2s",
                        "--headless", "--only-summary"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;  // the file's impossible read budget
  r = run_arrload({"run", "-f", dir, "--host", host_, "-u", "2", "-r", "100", "-t", "2s",
                   "--headless", "--only-summary", "--budget", "read:p95<1s"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = run_arrload({"run", "-f", dir, "--host", host_, "-u", "2", "-r", "100", "-t", "2s",
                   "--headless", "--only-summary", "--no-budgets"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("PASS"), std::string::npos) << r.out;
}

TEST_F(JudgeTest, BadBudgetsAreUsageErrorsBeforeAnyLoad) {
  start({});
  auto r = run({"--budget", "read:p95<<5"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad budget 'p95<<5'"), std::string::npos) << r.err;
  r = run({"--budget", "raed:p95<5ms"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown category 'raed' (the scenario's: health, read)"), std::string::npos)
      << r.err;
  EXPECT_NE(http_get_body(server_->port(), "/__target/stats").find("\"requests_served\":0"),
            std::string::npos);
}

TEST_F(JudgeTest, PreflightAgainstAClosedPortFailsFastWithoutLoad) {
  start({});
  // A port that was just free: bind, read the number, close.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  auto r = run_arrload({"run", "-f", scenario_, "--host",
                        "http://127.0.0.1:" + std::to_string(port), "--health", "/health", "-u",
                        "2", "-t", "5s", "--headless", "--csv", dir_.file("p")});
  EXPECT_EQ(r.exit_code, 7) << r.out << r.err;
  EXPECT_LT(r.seconds, 3);
  EXPECT_NE(r.err.find("pre-flight failed: GET http://127.0.0.1:" + std::to_string(port) +
                       "/health: connection refused"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("no load was sent"), std::string::npos);
}

TEST_F(JudgeTest, UnhealthyTargetFailsPreflightWithItsStatus) {
  target::FaultConfig f;
  f.warmup_seconds = 60;
  start(f);
  auto r = run({"--health", "/health/ready"});
  EXPECT_EQ(r.exit_code, 7) << r.out << r.err;
  EXPECT_NE(r.err.find("status 503"), std::string::npos) << r.err;
  EXPECT_NE(http_get_body(server_->port(), "/__target/stats").find("\"requests_served\":1,"),
            std::string::npos);  // the pre-flight request itself, nothing more
}

TEST_F(JudgeTest, RecoveryAndMemoryJoinTheVerdict) {
  start({});
  auto r = run({"--health", "/health", "--budget", "error_rate<1%", "--target-metrics",
                host_ + "/metrics", "--csv", dir_.file("m")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("recovered after"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("memory"), std::string::npos) << r.out;
  std::string csv = read_file(dir_.file("m_target_memory.csv"));
  EXPECT_EQ(csv.rfind("Timestamp,Elapsed Seconds,RSS Bytes,RSS MiB\n", 0), 0u) << csv;
  EXPECT_GE(split_lines(csv).size(), 3u) << csv;  // about one sample a second for 3 s
  std::string json = read_file(dir_.file("r.json"));
  EXPECT_NE(json.find("\"name\":\"recovery\",\"pass\":true"), std::string::npos) << json;
}

}  // namespace
}  // namespace arrload::testing
