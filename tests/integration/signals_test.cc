// SIGINT, SIGTERM and --abort-on-fail at every moment of a run (pre-flight, spawning, steady
// state, stopping, the recovery probe), a second Ctrl-C, and signals to a cluster's master and
// worker processes: every report asked for is written and agrees with the others, and the exit
// status is the documented one (docs/reliability.md, "Signals and exit codes"). Each test waits
// for the phase by reading the child's log (or its socket), never by sleeping blind.
#include <poll.h>
#include <signal.h>

#include <filesystem>
#include <regex>

#include <gtest/gtest.h>

#include "integration/harness.h"
#include "support/ports.h"

namespace arrload::testing {
namespace {

using std::chrono::seconds;

constexpr const char* kPing = R"(
users:
  - name: Pinger
    wait: constant(0.05)
    tasks:
      - {name: ping, request: GET /ping}
)";

// Users that spend 20 s in each request: a stop with --stop-timeout waits for them.
constexpr const char* kSlow = R"(
users:
  - name: Sleeper
    wait: constant(0)
    tasks:
      - {name: slow, request: GET /__target/sleep/20000}
  - name: Pinger
    wait: constant(0.05)
    tasks:
      - {name: ping, request: GET /ping}
)";

// The first number after NEEDLE in TEXT; -1 when missing.
long number_after(const std::string& text, const std::string& needle) {
  const std::size_t at = text.find(needle);
  if (at == std::string::npos) return -1;
  std::smatch m;
  const std::string rest = text.substr(at + needle.size(), 200);
  if (!std::regex_search(rest, m, std::regex(R"((\d+))"))) return -1;
  return std::stol(m[1]);
}

// The requests every report counts: CSV, JSON, HTML, console (--only-summary's final table).
struct Counts {
  long csv = -1, json = -1, html = -1, console = -1;
};

Counts report_counts(const std::string& prefix, const std::string& console) {
  Counts c;
  auto total = stats_row(read_file(prefix + "_stats.csv"), "Aggregated");
  if (!total.empty()) c.csv = std::stol(total[2]);
  const std::string json = read_file(prefix + ".json");
  const std::size_t agg = json.find("\"aggregated\":");
  if (agg != std::string::npos) c.json = number_after(json.substr(agg), "\"num_requests\":");
  std::smatch m;
  const std::string html = read_file(prefix + ".html");
  if (std::regex_search(html, m, std::regex(R"(<p>(\d+) requests, \d+ failures)"))) {
    c.html = std::stol(m[1]);
  }
  if (std::regex_search(console, m, std::regex(R"(\n\s+Aggregated\s+(\d+))"))) {
    c.console = std::stol(m[1]);
  }
  return c;
}

// Every report of PREFIX exists and they count the same requests; returns that count.
long expect_consistent(const std::string& prefix, const ProcessResult& r) {
  for (const char* suffix :
       {"_stats.csv", "_failures.csv", "_exceptions.csv", "_stats_history.csv", ".json", ".html"}) {
    EXPECT_TRUE(std::filesystem::exists(prefix + suffix)) << prefix << suffix << "\n" << r.err;
  }
  const Counts c = report_counts(prefix, r.out);
  EXPECT_GE(c.csv, 0) << r.err;
  EXPECT_EQ(c.json, c.csv) << r.err;
  EXPECT_EQ(c.html, c.csv) << r.err;
  EXPECT_EQ(c.console, c.csv) << r.out;
  return c.csv;
}

std::vector<std::string> report_args(const std::string& prefix) {
  return {"--csv",  prefix,           "--json-file",   prefix + ".json",
          "--html", prefix + ".html", "--only-summary"};
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Waits (bounded) until the child's stderr holds TEXT.
bool wait_for_log(Arrload& child, const std::string& text, seconds limit = seconds(30)) {
  return eventually([&] { return child.err_so_far().find(text) != std::string::npos; }, limit);
}

std::string json_of(const std::string& prefix) { return read_file(prefix + ".json"); }

// The requests PREFIX_stats_history.csv's last row counts so far (column 18, Total Request
// Count); 0 before the first row.
long history_requests(const std::string& prefix) {
  const auto lines = split_lines(read_file(prefix + "_stats_history.csv"));
  if (lines.size() < 2) return 0;
  const auto cells = split_cells(lines.back());
  return cells.size() > 17 ? std::stol(cells[17]) : 0;
}

class SignalsTest : public TargetTest {
 protected:
  std::string prefix(const std::string& name) const { return dir_.file(name); }
};

// A listening socket that never answers: a health check against it waits for its timeout.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 8);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentServer() {
    if (client_ >= 0) ::close(client_);
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/health"; }
  // True once a client connected (within LIMIT); the connection is held open, unanswered.
  bool accepted(seconds limit) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(limit.count() * 1000)) != 1) return false;
    client_ = ::accept(fd_, nullptr, nullptr);
    return client_ >= 0;
  }

 private:
  int fd_ = -1, client_ = -1;
  unsigned short port_ = 0;
};

TEST_F(SignalsTest, SigintDuringPreflightWritesEmptyReportsAndExits105) {
  SilentServer health;
  const std::string p = prefix("pre");
  Arrload child(
      concat({"run", "--headless", "-f", dir_.write("s.yaml", kPing), "--host", host_, "-u", "2",
              "-t", "30s", "--health", health.url(), "--preflight-timeout", "60s"},
             report_args(p)));
  ASSERT_TRUE(health.accepted(seconds(30))) << child.err_so_far();
  child.signal(SIGINT);
  ProcessResult r = child.wait(seconds(20));
  EXPECT_LT(r.seconds, 15);
  EXPECT_EQ(r.exit_code, 105) << r.err;
  EXPECT_EQ(expect_consistent(p, r), 0);
  EXPECT_NE(json_of(p).find("\"stop_reason\":\"signal\""), std::string::npos);
  EXPECT_NE(json_of(p).find("\"interrupted\":true"), std::string::npos);
  EXPECT_EQ(served(), 0);  // no load
}

TEST_F(SignalsTest, SigtermWhileSpawningStopsTheRampAndWritesConsistentReports) {
  const std::string p = prefix("spawn");
  Arrload child(concat({"run", "--headless", "-f", dir_.write("s.yaml", kPing), "--host", host_,
                        "-u", "40", "-r", "2", "-t", "60s"},
                       report_args(p)));
  ASSERT_TRUE(wait_for_log(child, "Ramping to 40 users")) << child.err_so_far();
  // The tick after the first: some users run, most are still to come (the ramp takes 20 s).
  ASSERT_TRUE(eventually(
      [&] { return split_lines(read_file(p + "_stats_history.csv")).size() >= 2; }, seconds(20)));
  child.signal(SIGTERM);
  ProcessResult r = child.wait(seconds(30));
  EXPECT_EQ(r.exit_code, 105) << r.err;
  EXPECT_GT(expect_consistent(p, r), 0);
  EXPECT_NE(r.err.find("Received SIGTERM"), std::string::npos) << r.err;
  const long users = number_after(json_of(p), "\"user_count\":");
  EXPECT_GT(users, 0);
  EXPECT_LT(users, 40);  // interrupted mid-ramp
  EXPECT_EQ(r.err.find("All users spawned"), std::string::npos) << r.err;
}

TEST_F(SignalsTest, SigintAtSteadyStateWritesConsistentReportsAndExits105) {
  const std::string p = prefix("steady");
  Arrload child(concat({"run", "--headless", "-f", dir_.write("s.yaml", kPing), "--host", host_,
                        "-u", "3", "-r", "100", "-t", "60s"},
                       report_args(p)));
  ASSERT_TRUE(wait_for_log(child, "All users spawned")) << child.err_so_far();
  ASSERT_TRUE(eventually([&] { return served() > 20; }, seconds(20)));
  child.signal(SIGINT);
  ProcessResult r = child.wait(seconds(30));
  EXPECT_EQ(r.exit_code, 105) << r.err;
  const long n = expect_consistent(p, r);
  EXPECT_GT(n, 20);
  EXPECT_LE(n, served());
  EXPECT_NE(r.out.find("INTERRUPTED"), std::string::npos) << r.out << r.err;
  EXPECT_NE(json_of(p).find("\"stop_reason\":\"signal\""), std::string::npos);
}

// With --stop-timeout the first Ctrl-C lets users finish their 20 s requests; the second ends
// them at once and the process exits within the 2 s deadline with every report written.
TEST_F(SignalsTest, SecondCtrlCWhileStoppingEndsTheRunAtOnceWithReports) {
  const std::string p = prefix("second");
  Arrload child(concat({"run", "--headless", "-f", dir_.write("s.yaml", kSlow), "--host", host_,
                        "-u", "4", "-r", "100", "-t", "60s", "--stop-timeout", "30s"},
                       report_args(p)));
  ASSERT_TRUE(wait_for_log(child, "All users spawned")) << child.err_so_far();
  ASSERT_TRUE(eventually([&] { return served() > 10; }, seconds(20)));
  child.signal(SIGINT);
  ASSERT_TRUE(wait_for_log(child, "Received SIGINT")) << child.err_so_far();
  // Still stopping: the sleepers have 18 s or more of their request left.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(child.err_so_far().find("Shutting down"), std::string::npos);
  const auto second = std::chrono::steady_clock::now();
  child.signal(SIGINT);
  ProcessResult r = child.wait(seconds(30));
  const double after =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - second).count();
  EXPECT_LT(after, 3.0) << "the second Ctrl-C did not end the process at once\n" << r.err;
  EXPECT_EQ(r.exit_code, 105) << r.err;
  EXPECT_NE(r.err.find("A signal while stopping: ending the users now"), std::string::npos)
      << r.err;
  // The target's count (> 10) includes its own stats requests and answers arrload had not read
  // when it was told to stop (a sanitizer build recorded exactly 10).
  EXPECT_GE(expect_consistent(p, r), 5);
  // The killed requests were not counted: the slow row has none finished.
  auto slow = stats_row(read_file(p + "_stats.csv"), "/__target/sleep/20000", "GET");
  EXPECT_TRUE(slow.empty() || slow[2] == "0") << read_file(p + "_stats.csv");
}

// A signal after the run time, while users finish under --stop-timeout: the run reached its
// planned end, so it is complete (not 105); the users are ended at once.
TEST_F(SignalsTest, SignalWhileStoppingAfterTheRunTimeEndsUsersAndKeepsTheRunComplete) {
  const std::string p = prefix("late");
  Arrload child(concat({"run", "--headless", "-f", dir_.write("s.yaml", kSlow), "--host", host_,
                        "-u", "4", "-r", "100", "-t", "2s", "--stop-timeout", "30s"},
                       report_args(p)));
  ASSERT_TRUE(wait_for_log(child, "Time limit reached")) << child.err_so_far();
  child.signal(SIGTERM);
  ProcessResult r = child.wait(seconds(30));
  EXPECT_LT(r.seconds, 12) << r.err;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(expect_consistent(p, r), 0);
  EXPECT_NE(json_of(p).find("\"stop_reason\":\"run_time\""), std::string::npos);
}

// The recovery probe against a health URL that refuses: up to 60 s of probes, which a signal
// ends; the probe is then "interrupted (not judged)" and the run, complete, passes.
TEST_F(SignalsTest, SignalDuringTheRecoveryProbeEndsItAndTheVerdictSaysSo) {
  const std::string p = prefix("recovery");
  const std::string refused =
      "http://127.0.0.1:" + std::to_string(test_ports::unused_loopback_port()) + "/health";
  Arrload child(concat({"run", "--headless", "-f", dir_.write("s.yaml", kPing), "--host", host_,
                        "-u", "2", "-r", "100", "-t", "2s", "--no-preflight", "--health", refused,
                        "--recovery-wait", "60s", "--budget", "error_rate<50%"},
                       report_args(p)));
  ASSERT_TRUE(wait_for_log(child, "Recovery: probing")) << child.err_so_far();
  child.signal(SIGINT);
  ProcessResult r = child.wait(seconds(30));
  EXPECT_LT(r.seconds, 20) << r.err;
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_GT(expect_consistent(p, r), 0);
  EXPECT_NE(json_of(p).find("interrupted (not judged)"), std::string::npos) << json_of(p);
}

TEST_F(SignalsTest, AbortOnFailWhileSpawningWritesReportsWithTheBudgetsStatus) {
  const std::string p = prefix("abort");
  const std::string scenario = dir_.write("b.yaml", kPingerAndBreaker);
  Arrload child(
      concat({"run", "--headless", "-f", scenario, "--host", host_, "-u", "40", "-r", "2", "-t",
              "60s", "--abort-on-fail", "--abort-grace", "0s", "--budget", "error_rate<1%"},
             report_args(p)));
  ProcessResult r = child.wait(seconds(40));
  EXPECT_EQ(r.exit_code, 4) << r.err;  // the error-rate budget's status, not 105
  EXPECT_NE(r.err.find("stopping the run (--abort-on-fail)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("All users spawned"), std::string::npos) << r.err;  // still ramping
  EXPECT_GT(expect_consistent(p, r), 0);
  EXPECT_NE(json_of(p).find("\"stop_reason\":\"abort_on_fail\""), std::string::npos);
}

TEST_F(SignalsTest, AbortOnFailAtSteadyStateThenACtrlCWhileStoppingKeepsTheBudgetsStatus) {
  const std::string p = prefix("abort2");
  const std::string scenario = dir_.write("b.yaml", kPingerAndBreaker);
  Arrload child(
      concat({"run", "--headless", "-f", scenario, "--host", host_, "-u", "4", "-r", "100", "-t",
              "60s", "--abort-on-fail", "--abort-grace", "2s", "--budget", "error_rate<1%"},
             report_args(p)));
  ASSERT_TRUE(wait_for_log(child, "--abort-on-fail")) << child.err_so_far();
  child.signal(SIGINT);  // during the stop the abort began, or just after it
  ProcessResult r = child.wait(seconds(30));
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("All users spawned"), std::string::npos) << r.err;
  EXPECT_GT(expect_consistent(p, r), 0);
  EXPECT_NE(json_of(p).find("\"stop_reason\":\"abort_on_fail\""), std::string::npos);
}

// The web UI takes the signals with sigwait: the first stops the running test (reports
// written), a second during that stop ends its users at once.
TEST_F(SignalsTest, WebUiSecondCtrlCEndsTheRunningTestAtOnceWithReports) {
  const std::string p = prefix("web");
  Arrload child(concat({"run", "-f", dir_.write("s.yaml", kSlow), "--host", host_, "--web-port",
                        std::to_string(test_ports::unused_loopback_port()), "--autostart", "-u",
                        "4", "-r", "100", "-t", "60s", "--stop-timeout", "30s"},
                       report_args(p)));
  ASSERT_TRUE(wait_for_log(child, "All users spawned")) << child.err_so_far();
  ASSERT_TRUE(eventually([&] { return served() > 10; }, seconds(20)));
  child.signal(SIGINT);
  ASSERT_TRUE(wait_for_log(child, "SIGINT received")) << child.err_so_far();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto second = std::chrono::steady_clock::now();
  child.signal(SIGINT);
  ProcessResult r = child.wait(seconds(30));
  const double after =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - second).count();
  EXPECT_LT(after, 3.0) << r.err;
  EXPECT_EQ(r.exit_code, 105) << r.err;
  const std::string json = json_of(p);
  EXPECT_NE(json.find("\"stop_reason\":\"signal\""), std::string::npos) << json;
  auto total = stats_row(read_file(p + "_stats.csv"), "Aggregated");
  ASSERT_FALSE(total.empty()) << r.err;
  EXPECT_EQ(number_after(json.substr(json.find("\"aggregated\":")), "\"num_requests\":"),
            std::stol(total[2]));
}

// Distributed: a master and two arrload workers as processes.
std::vector<std::string> master_args(const std::string& scenario, const std::string& port,
                                     const std::string& host, const std::string& p,
                                     const std::vector<std::string>& more) {
  return concat(concat({"run", "-f", scenario, "--master", "--master-bind-host", "127.0.0.1",
                        "--master-bind-port", port, "--headless", "-H", host},
                       report_args(p)),
                more);
}

std::vector<std::string> worker_args(const std::string& scenario, const std::string& port) {
  return {"run", "-f", scenario, "--worker", "--master-port", port, "--threads", "1"};
}

TEST_F(SignalsTest, SigintOnTheMasterStopsTheWorkersAndWritesTheMergedReports) {
  const std::string scenario = dir_.write("s.yaml", kPing);
  const std::string port = std::to_string(test_ports::unused_loopback_port());
  const std::string p = prefix("master");
  Arrload master(master_args(scenario, port, host_, p,
                             {"--expect-workers", "2", "-u", "4", "-r", "100", "-t", "60s"}));
  Arrload w1(worker_args(scenario, port));
  Arrload w2(worker_args(scenario, port));
  ASSERT_TRUE(wait_for_log(master, "All users spawned")) << master.err_so_far();
  ASSERT_TRUE(eventually([&] { return served() > 30; }, seconds(20)));
  master.signal(SIGINT);
  ProcessResult m = master.wait(seconds(40));
  ProcessResult r1 = w1.wait(seconds(20));
  ProcessResult r2 = w2.wait(seconds(20));
  EXPECT_EQ(m.exit_code, 105) << m.err;
  EXPECT_EQ(r1.exit_code, 0) << r1.err;
  EXPECT_EQ(r2.exit_code, 0) << r2.err;
  const long n = expect_consistent(p, m);
  // The workers' own totals add up to the merged reports.
  const long a = reported(r1.err, "Reported to the master in total").first;
  const long b = reported(r2.err, "Reported to the master in total").first;
  EXPECT_EQ(n, a + b) << m.err << r1.err << r2.err;
  EXPECT_NE(json_of(p).find("\"stop_reason\":\"signal\""), std::string::npos);
}

TEST_F(SignalsTest, SigtermOnAWorkerEndsItCleanlyAndTheMasterKeepsItsNumbers) {
  const std::string scenario = dir_.write("s.yaml", kPing);
  const std::string port = std::to_string(test_ports::unused_loopback_port());
  const std::string p = prefix("worker");
  Arrload master(master_args(scenario, port, host_, p,
                             {"--expect-workers", "2", "-u", "4", "-r", "100", "-t", "8s"}));
  Arrload quitter(worker_args(scenario, port));
  Arrload stayer(worker_args(scenario, port));
  ASSERT_TRUE(wait_for_log(quitter, "users spawned")) << quitter.err_so_far();
  ASSERT_TRUE(eventually([&] { return served() > 30; }, seconds(20)));
  quitter.signal(SIGTERM);
  ProcessResult q = quitter.wait(seconds(20));
  ProcessResult m = master.wait(seconds(40));
  ProcessResult s = stayer.wait(seconds(20));
  EXPECT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(m.exit_code, 0) << m.err;  // the run reached its end with the other worker
  const long n = expect_consistent(p, m);
  const long a = reported(q.err, "Reported to the master in total").first;
  const long b = reported(s.err, "Reported to the master in total").first;
  EXPECT_GT(a, 0) << q.err;
  EXPECT_EQ(n, a + b) << m.err << q.err << s.err;
}

TEST_F(SignalsTest, SecondCtrlCOnTheMasterEndsTheRunAtOnceWithReports) {
  const std::string scenario = dir_.write("s.yaml", kSlow);
  const std::string port = std::to_string(test_ports::unused_loopback_port());
  const std::string p = prefix("master2");
  Arrload master(master_args(scenario, port, host_, p,
                             {"-u", "4", "-r", "100", "-t", "60s", "--stop-timeout", "30s"}));
  Arrload w(worker_args(scenario, port));
  ASSERT_TRUE(wait_for_log(master, "All users spawned")) << master.err_so_far();
  // The worker's first report (every 3 s) has reached the master: what it can flush.
  ASSERT_TRUE(eventually([&] { return history_requests(p) > 0; }, seconds(20)));
  master.signal(SIGINT);
  ASSERT_TRUE(wait_for_log(master, "Received a signal")) << master.err_so_far();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto second = std::chrono::steady_clock::now();
  master.signal(SIGINT);
  ProcessResult m = master.wait(seconds(30));
  const double after =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - second).count();
  EXPECT_LT(after, 3.0) << m.err;
  EXPECT_EQ(m.exit_code, 105) << m.err;
  EXPECT_NE(m.err.find("A signal while stopping"), std::string::npos) << m.err;
  EXPECT_GT(expect_consistent(p, m), 0);
  w.signal(SIGINT);  // its users are still in their 20 s requests
  ProcessResult wr = w.wait(seconds(30));
  EXPECT_EQ(wr.exit_code, 0) << wr.err;
}

// A signal to a master while it waits, after -t, for workers whose users finish 20 s requests
// under --stop-timeout: the run is complete, the wait ends at once.
TEST_F(SignalsTest, SignalToAMasterStoppingAfterTheRunTimeEndsTheWaitAndKeepsTheRunComplete) {
  const std::string scenario = dir_.write("s.yaml", kSlow);
  const std::string port = std::to_string(test_ports::unused_loopback_port());
  const std::string p = prefix("master3");
  Arrload master(master_args(scenario, port, host_, p,
                             {"-u", "4", "-r", "100", "-t", "4s", "--stop-timeout", "30s"}));
  Arrload w(worker_args(scenario, port));
  ASSERT_TRUE(wait_for_log(master, "Time limit reached")) << master.err_so_far();
  master.signal(SIGTERM);
  ProcessResult m = master.wait(seconds(30));
  EXPECT_LT(m.seconds, 15) << m.err;
  EXPECT_EQ(m.exit_code, 0) << m.err;
  EXPECT_NE(m.err.find("A signal while stopping"), std::string::npos) << m.err;
  expect_consistent(p, m);
  EXPECT_NE(json_of(p).find("\"stop_reason\":\"run_time\""), std::string::npos);
  w.signal(SIGINT);
  EXPECT_EQ(w.wait(seconds(30)).exit_code, 0);
}

}  // namespace
}  // namespace arrload::testing
