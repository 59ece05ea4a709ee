// `arrload target` as a process: the fault-injection flags take effect (the admin endpoint only
// with --admin), and bad values are usage errors (exit 2) naming the flag.
#ifdef ARRLOAD_BINARY
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "integration/harness.h"

namespace arrload::testing {
namespace {

using std::chrono::milliseconds;

// `arrload target --port 0 ARGS...` running in the background; stopped with SIGTERM.
class TargetProcess {
 public:
  explicit TargetProcess(std::vector<std::string> args) {
    args.insert(args.begin(),
                {"target", "--port", "0", "--latency-scale", "0", "--db", ":memory:"});
    // Built before fork(): the child must not allocate (see harness.h).
    std::string bin = ARRLOAD_BINARY;
    std::vector<char*> argv{bin.data()};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2];
    if (::pipe(fds) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], 1);
      ::close(fds[0]);
      ::execv(bin.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    out_ = fds[0];
  }
  ~TargetProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (out_ >= 0) ::close(out_);
  }
  TargetProcess(const TargetProcess&) = delete;
  TargetProcess& operator=(const TargetProcess&) = delete;

  // The port from "arrload target listening on http://127.0.0.1:PORT" (0 if not within 10 s).
  unsigned short port() {
    std::string text;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until) {
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[256];
      const ssize_t n = ::read(out_, buf, sizeof buf);
      if (n <= 0) return 0;
      text.append(buf, static_cast<std::size_t>(n));
      const std::size_t at = text.find("127.0.0.1:");
      const std::size_t end = text.find('\n', at == std::string::npos ? 0 : at);
      if (at != std::string::npos && end != std::string::npos) {
        return static_cast<unsigned short>(std::stoi(text.substr(at + 10, end - at - 10)));
      }
    }
    return 0;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
};

// Without --admin the fault flags still work, but nobody can change them over HTTP.
TEST(TargetCommand, FaultFlagsWorkWithoutTheAdminEndpoint) {
  TargetProcess target({"--error-ratio-read", "1", "--error-status", "503"});
  const unsigned short port = target.port();
  ASSERT_NE(port, 0);
  EXPECT_EQ(http(port, "GET", "/__target/faults").status, 404);
  EXPECT_EQ(http(port, "PUT", "/__target/faults", "{}").status, 404);
  EXPECT_EQ(http(port, "DELETE", "/__target/faults").status, 404);
  const std::string shows = http_get_body(port, "/api/v1/shows/");
  EXPECT_NE(shows.find("\"error\":\"Service Unavailable\""), std::string::npos) << shows;
  EXPECT_EQ(http(port, "GET", "/metrics").status, 200);  // the memory sampler reads it
}

TEST(TargetCommand, FaultFlagsTakeEffect) {
  TargetProcess target({"--admin", "--error-ratio-read", "1", "--error-status", "503",
                        "--added-latency", "20ms", "--added-latency-write", "35ms", "--warmup",
                        "1m", "--download-seconds", "0"});
  const unsigned short port = target.port();
  ASSERT_NE(port, 0);
  const std::string faults = http_get_body(port, "/__target/faults");
  EXPECT_NE(faults.find("\"error_ratio_read\":1.0"), std::string::npos) << faults;
  EXPECT_NE(faults.find("\"added_latency_ms\":20.0"), std::string::npos) << faults;
  EXPECT_NE(faults.find("\"added_latency_write_ms\":35.0"), std::string::npos) << faults;
  EXPECT_NE(faults.find("\"added_latency_read_ms\":0.0"), std::string::npos) << faults;
  EXPECT_NE(faults.find("\"warmup_seconds\":60.0"), std::string::npos) << faults;
  EXPECT_NE(faults.find("\"error_status\":503"), std::string::npos) << faults;
  // A read route fails; health routes do not.
  const std::string shows = http_get_body(port, "/api/v1/shows/");
  EXPECT_NE(shows.find("\"error\":\"Service Unavailable\""), std::string::npos) << shows;
  EXPECT_NE(http_get_body(port, "/ping").find("pong"), std::string::npos);
  EXPECT_NE(http_get_body(port, "/health/ready").find("warming up"), std::string::npos);
}

TEST(TargetCommand, BadFlagValuesAreUsageErrors) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--error-ratio-read", "1.5"}, "--error-ratio-read"},
      {{"--error-status", "404"}, "--error-status"},
      {{"--added-latency", "soon"}, "--added-latency"},
      {{"--added-latency-read", "soon"}, "--added-latency-read"},
      {{"--reset-ratio", "-0.1"}, "--reset-ratio"},
      {{"--stall", "5s"}, "--stall needs --stall-every"},
      {{"--stall", "60s", "--stall-every", "30s"}, "--stall must be shorter than --stall-every"},
  };
  for (const auto& [flags, message] : cases) {
    std::vector<std::string> args{"target", "--port", "0"};
    args.insert(args.end(), flags.begin(), flags.end());
    ProcessResult r = run_arrload(args, milliseconds(0), SIGTERM, std::chrono::seconds(10));
    EXPECT_EQ(r.exit_code, 2) << flags[0] << ": " << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace arrload::testing
#endif  // ARRLOAD_BINARY
