// Bad input to every subcommand, option, file and environment variable, run through the real
// binary: each row of kRows is one try, with the exit status and a piece of the message it must
// give, and no crash (no "terminate called", no sanitizer report, no death by a signal). The
// table in docs/reliability.md ("Bad input to the CLI and files") is this table with the real
// messages; DocumentedTableIsTheBinarysOwn checks them against the binary, so it cannot drift.
// ARRLOAD_BAD_INPUT_TABLE=FILE writes the table to FILE (how the doc's table is made).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "integration/harness.h"

namespace arrload::testing {
namespace {

struct Row {
  std::vector<std::string> args;  // after `arrload`; run in a folder holding the files below
  std::vector<std::string> env;   // NAME=VALUE added to the environment
  int exit_code;
  std::string message;  // a piece of the message on stderr; the doc shows its whole line
};

// Every run that would get past its options targets a closed port for at most a second.
const std::vector<std::string> kRun = {"run", "--headless", "-f", "s.yaml", "-t", "1s"};

std::vector<std::string> run_with(std::vector<std::string> more) {
  std::vector<std::string> out = kRun;
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

const std::vector<Row>& rows() {
  static const std::vector<Row> kRows = {
      // Numbers and durations.
      {run_with({"-t", "5x"}), {}, 2, "--run-time: '5x' is not a duration"},
      {run_with({"-t", "-1s"}), {}, 2, "--run-time: '-1s' is not a duration"},
      {run_with({"-t", "0"}), {}, 2, "--run-time: must be longer than 0"},
      {run_with({"-u", "-1"}), {}, 2, "--users: must be between 0 and 10000000, not -1"},
      {run_with({"-u", "99999999999"}), {}, 2, "--users: must be between 0 and 10000000"},
      {run_with({"-u", "abc"}), {}, 2, "--users: 'abc' is not a number"},
      {run_with({"-u"}), {}, 2, "--users: 1 required"},
      {run_with({"-r", "0"}), {}, 2, "--spawn-rate: must be greater than 0, not 0"},
      {run_with({"--arrival-rate", "0"}), {}, 2, "--arrival-rate: must be greater than 0"},
      {run_with({"--threads", "100000"}), {}, 2, "--threads: must be between 0 and 1024"},
      {run_with({"--seed", "-1"}), {}, 2, "--seed: must be 0 or more, not -1"},
      {run_with({"-i", "-1"}), {}, 2, "--iterations: must be 0 or more, not -1"},
      {run_with({"--exit-code-on-error", "300"}), {}, 2, "--exit-code-on-error: must be between"},
      {run_with({"--time-scale", "0"}), {}, 2, "--time-scale: must be between 0.0001 and 100"},
      {run_with({"--stop-timeout", "-3"}), {}, 2, "--stop-timeout: '-3' is not a duration"},
      {run_with({"--abort-on-fail", "--abort-grace", "xx"}), {}, 2, "--abort-grace: 'xx'"},
      {run_with({"--recovery-wait", "5q"}), {}, 2, "--recovery-wait: '5q' is not a duration"},
      {run_with({"--preflight-timeout", "0"}), {}, 2, "--preflight-timeout: must be longer"},
      {run_with({"--leak-rate", "-1"}), {}, 2, "--leak-rate: must be 0 or more"},
      {run_with({"--target-pid", "0"}), {}, 2, "--target-pid: must be between 1 and"},
      {run_with({"--web-port", "70000"}), {}, 2, "--web-port: must be between 0 and 65535"},
      {run_with({"--autoquit", "-5"}), {}, 2, "--autoquit: must be between -1 and"},
      // URLs and other values.
      {run_with({"--host", "http://"}), {}, 2, "invalid host URL 'http://'"},
      {run_with({"--host", "ftp://x"}), {}, 2, "invalid host URL 'ftp://x'"},
      {run_with({"--health", "http://"}), {}, 2, "--health: 'http://' is not a URL"},
      {run_with({"--target-metrics", "http://"}), {}, 2, "--target-metrics: 'http://' is not"},
      {run_with({"-L", "bogus"}), {}, 2, "--loglevel: bogus not in"},
      {run_with({"--web-login", "nocolon"}), {}, 2, "--web-login: write USER:PASSWORD"},
      {run_with({"--budget", "p95<<3"}), {}, 2, "bad budget 'p95<<3'"},
      {run_with({"--budget", "nocat:p95<3ms"}), {}, 2, "budget for unknown category 'nocat'"},
      {run_with({"--no-such-flag"}), {}, 2, "The following argument was not expected"},
      // Names the scenario does not have, and options that exclude each other.
      {run_with({"--profile", "nope"}), {}, 2, "--profile: no profile 'nope' in s.yaml"},
      {run_with({"NoSuchClass"}), {}, 2, "no user class 'NoSuchClass'"},
      {run_with({"-T", "nosuchtag"}), {}, 2, "no task is left after filtering by tags"},
      {run_with({"--headless", "--web"}), {}, 2, "--headless excludes --web"},
      {run_with({"--master", "--worker"}), {}, 2, "--master and --worker exclude each other"},
      {run_with({"--json", "--json-file", "-"}), {}, 2, "--json prints Locust's stats on stdout"},
      {run_with({"--time-scale", "0.5"}), {}, 2, "--time-scale compresses a profile's timeline"},
      {run_with({"--master", "-i", "5"}), {}, 2, "work in one process only"},
      // Files: scenarios.
      {{"run", "--headless", "-f", "missing.yaml"}, {}, 2, "missing.yaml: file not found"},
      {{"run", "--headless", "-f", "adir"}, {}, 2, "adir: no .yaml or .yml files"},
      {{"run", "--headless", "-f", "empty.yaml"}, {}, 2, "empty.yaml:1: the file is empty"},
      {{"run", "--headless", "-f", "syntax.yaml"}, {}, 2, "syntax.yaml:4: YAML syntax error"},
      {{"run", "--headless", "-f", "typo.yaml"}, {}, 2, "typo.yaml:5: users[0].tasks[0].wieght"},
      {{"run", "--headless", "-f", "nousers.yaml"}, {}, 2, "needs at least one user class"},
      {{"run", "--headless", "-f", "locustfile.py"}, {}, 2, "locustfile.py: a Python locustfile"},
      // Files: config, budgets, reports, log.
      {run_with({"--config", "missing.conf"}), {}, 2, "missing.conf: cannot read the config"},
      {run_with({"--config", "adir"}), {}, 2, "adir: is a directory, not a config file"},
      {run_with({"--config", "typo.conf"}), {}, 2, "typo.conf:1: unknown option 'userz'"},
      {run_with({"--budgets", "missing.yaml"}), {}, 2, "missing.yaml: cannot open the budgets"},
      {run_with({"--budgets", "adir"}), {}, 2, "--budgets: adir: is a directory"},
      {run_with({"--budgets", "s.yaml"}), {}, 2, "s.yaml:1: unknown key 'host'"},
      {run_with({"--budgets", "syntax.yaml"}), {}, 2, "syntax.yaml:4: YAML syntax error"},
      {run_with({"--csv", "/proc/nope/x"}), {}, 2, "--csv: cannot create the folder /proc/nope"},
      {run_with({"--csv", "csvdir"}), {}, 2, "--csv: csvdir_stats.csv: is a directory"},
      {run_with({"--html", "adir"}), {}, 2, "--html: adir: is a directory; give a file name"},
      {run_with({"--json-file", "adir"}), {}, 2, "--json-file: adir: is a directory"},
      {run_with({"--junit", "adir"}), {}, 2, "--junit: adir: is a directory"},
      {run_with({"--logfile", "adir"}), {}, 2, "--logfile: adir: Is a directory"},
      {run_with({"--logfile", "/proc/nope/log"}), {}, 2, "--logfile: /proc/nope/log"},
      // Environment variables (Locust's and ours).
      {kRun, {"ARRLOAD_USERS=abc"}, 2, "--users: 'abc' is not a number"},
      {kRun, {"LOCUST_USERS=-4"}, 2, "--users: must be between 0 and 10000000, not -4"},
      {{"run", "--headless", "-f", "s.yaml"}, {"LOCUST_RUN_TIME=5x"}, 2, "--run-time: '5x'"},
      {{"run", "-f", "s.yaml"}, {"LOCUST_HEADLESS=maybe"}, 2, "--headless: 'maybe' is not a"},
      {kRun, {"ARRLOAD_LOGLEVEL=LOUD"}, 2, "--loglevel: LOUD not in"},
      {{"run", "--headless"}, {"LOCUST_LOCUSTFILE=nothere.yaml"}, 2, "nothere.yaml: file not"},
      {{"run", "-f", "s.yaml", "--worker"}, {"ARRLOAD_MASTER_PORT=abc"}, 2, "'abc' is not a"},
      // The other subcommands.
      {{"validate"}, {}, 2, "--scenario is required"},
      {{"validate", "-f", "syntax.yaml"}, {}, 2, "syntax.yaml:4: YAML syntax error"},
      {{"validate", "-f", "s.yaml", "-T", "nosuch"}, {}, 2, "no task is left after filtering"},
      {{"profiles", "-f", "missing.yaml"}, {}, 2, "missing.yaml: file not found"},
      {{"locustfile", "-f", "typo.yaml"}, {}, 2, "unknown key 'wieght'"},
      {{"demo", "-u", "-3"}, {}, 2, "--users: must be between 0 and 10000000, not -3"},
      {{"demo", "-t", "5x"}, {}, 2, "--run-time: '5x' is not a duration"},
      {{"target", "--port", "70000"}, {}, 2, "--port: must be between 0 and 65535, not 70000"},
      {{"target", "--threads", "5000"}, {}, 2, "--threads: must be between 0 and 1024"},
      {{"target", "--latency-scale", "-1"}, {}, 2, "--latency-scale: must be 0 or more"},
      {{"target", "--error-ratio-read", "2"}, {}, 2, "--error-ratio-read: must be between 0"},
      {{"target", "--error-status", "404"}, {}, 2, "--error-status: 404 not in"},
      {{"target", "--warmup", "5x"}, {}, 2, "'5x' is not a duration"},
      {{"target", "--stall", "5s"}, {}, 2, "--stall needs --stall-every"},
      {{"target", "--stall", "5s", "--stall-every", "2s"}, {}, 2, "--stall must be shorter"},
      // Distributed mode.
      {{"run", "-f", "s.yaml", "--worker", "--master-port", "0"}, {}, 2, "--master-port: must"},
      {{"run", "-f", "s.yaml", "--worker", "--master-connect-timeout", "0"},
       {},
       2,
       "--master-connect-timeout: must be between 0.1 and 86400"},
      {{"run", "-f", "s.yaml", "--master", "--expect-workers", "0"}, {}, 2, "--expect-workers:"},
      {{"run", "-f", "s.yaml", "--master", "--master-bind-port", "99999"},
       {},
       2,
       "--master-bind-port: must be between 1 and 65535"},
  };
  return kRows;
}

// The scenario and data files the rows name, in a fresh folder.
class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("s.yaml",
               "host: http://127.0.0.1:1\n"
               "users:\n"
               "  - name: A\n"
               "    wait: constant(1)\n"
               "    tasks:\n"
               "      - {name: ping, tags: [t1], request: GET /ping}\n");
    dir_.write("empty.yaml", "");
    dir_.write("syntax.yaml", "users:\n  - name: A\n    tasks: [\n");
    dir_.write("typo.yaml",
               "users:\n  - name: A\n    wait: between(1, 2)\n    tasks:\n"
               "      - {name: ping, wieght: 2, request: GET /ping}\n");
    dir_.write("nousers.yaml", "users: []\n");
    dir_.write("locustfile.py", "from locust import HttpUser\n");
    dir_.write("typo.conf", "userz = 3\n");
    std::filesystem::create_directory(dir_.file("adir"));
    std::filesystem::create_directory(dir_.file("csvdir_stats.csv"));
  }

  // Runs ROW in the folder; ends it after 20 s.
  ProcessResult run(const Row& row) {
    const std::string out = dir_.file(".stdout"), err = dir_.file(".stderr");
    std::string bin = ARRLOAD_BINARY, cwd = dir_.file("");
    std::vector<std::string> args = row.args, env = row.env;
    std::vector<char*> argv{bin.data()};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    for (char** e = environ; *e != nullptr; ++e) {
      // The runner's own ARRLOAD_*/LOCUST_* variables would change what a row tests.
      if (std::string_view(*e).starts_with("ARRLOAD_") ||
          std::string_view(*e).starts_with("LOCUST_"))
        continue;
      envp.push_back(*e);
    }
    envp.push_back(nullptr);
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid == 0) {
      if (::chdir(cwd.c_str()) != 0) ::_exit(126);
      ::dup2(::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 1);
      ::dup2(::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 2);
      ::execve(bin.c_str(), argv.data(), envp.data());
      ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) != pid) {
      if (std::chrono::steady_clock::now() - start > std::chrono::seconds(20)) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ProcessResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read_file(out);
    r.err = read_file(err);
    return r;
  }

  // The line of ERR holding MESSAGE, with the folder's path taken out; "" when none does.
  std::string message_line(const std::string& err, const std::string& message) const {
    for (std::string line : split_lines(err)) {
      if (line.find(message) == std::string::npos) continue;
      const std::string folder = dir_.file("");
      for (std::size_t at; (at = line.find(folder)) != std::string::npos;) {
        line.erase(at, folder.size());
      }
      return line;
    }
    return "";
  }

  TempDir dir_;
};

std::string command_of(const Row& row) {
  std::string out;
  for (const std::string& e : row.env) out += e + " ";
  out += "arrload";
  for (const std::string& a : row.args) {
    const bool quote = a.find_first_of(" <>") != std::string::npos;
    out += " " + (quote ? "'" + a + "'" : a);
  }
  return out;
}

// One row of the doc's table: | command | exit status | message |.
std::string doc_row(const Row& row, const std::string& line) {
  std::string escaped;
  for (char c : line) escaped += c == '|' ? std::string("\\|") : std::string(1, c);
  return fmt::format("| `{}` | {} | {} |", command_of(row), row.exit_code, escaped);
}

TEST_F(BadInputTest, EveryRowExitsWithItsStatusAndMessageAndNeverCrashes) {
  std::string table;
  for (const Row& row : rows()) {
    SCOPED_TRACE(command_of(row));
    const ProcessResult r = run(row);
    EXPECT_EQ(r.exit_code, row.exit_code) << r.err;
    const std::string line = message_line(r.err, row.message);
    EXPECT_FALSE(line.empty()) << "expected \"" << row.message << "\" in:\n" << r.err;
    for (const char* crash : {"terminate called", "Sanitizer", "runtime error:", "Aborted",
                              "core dumped", "Segmentation"}) {
      EXPECT_EQ(r.err.find(crash), std::string::npos) << r.err;
    }
    table += doc_row(row, line) + "\n";
  }
  if (const char* path = std::getenv("ARRLOAD_BAD_INPUT_TABLE")) std::ofstream(path) << table;
}

// The doc's table holds every row with the binary's real message.
TEST_F(BadInputTest, DocumentedTableIsTheBinarysOwn) {
  const std::string doc = read_file(std::string(ARRLOAD_SOURCE_DIR) + "/docs/reliability.md");
  const std::size_t begin = doc.find("## Bad input to the CLI and files");
  ASSERT_NE(begin, std::string::npos);
  const std::string section = doc.substr(begin);
  for (const Row& row : rows()) {
    const ProcessResult r = run(row);
    const std::string expected = doc_row(row, message_line(r.err, row.message));
    EXPECT_NE(section.find(expected + "\n"), std::string::npos)
        << "docs/reliability.md lacks (or has another message for):\n"
        << expected << "\n(ARRLOAD_BAD_INPUT_TABLE=FILE build/arrload_tests "
        << "--gtest_filter=BadInputTest.Every* writes the table)";
  }
}

}  // namespace
}  // namespace arrload::testing
