#pragma once
// Helpers for end-to-end tests: run the real arrload binary against the real embedded target on
// 127.0.0.1, with bounded time, and read what it wrote.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "target/server.h"

namespace arrload::testing {

// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "arrload_test_XXXXXX").string();
    path_ = ::mkdtemp(templ.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name)) << text;
    return file(name);
  }

 private:
  std::filesystem::path path_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;     // stdout
  std::string err;     // stderr
  double seconds = 0;  // wall time
};

// A program (by default the arrload binary) started with ARGS (without argv[0]) and ENV (added
// to this process's), its stdout and stderr going to files; killed if it outlives the object.
class Arrload {
 public:
  explicit Arrload(const std::vector<std::string>& args, const std::vector<std::string>& env = {})
      : Arrload(ARRLOAD_BINARY, args, env) {}
  // PROGRAM: a path (e.g. /usr/bin/locust).
  Arrload(std::string program, const std::vector<std::string>& args,
          const std::vector<std::string>& env) {
    out_path_ = io_.file("stdout");
    err_path_ = io_.file("stderr");
    // Everything the child needs is built before fork(): the test process has server threads,
    // and a child that allocates between fork() and exec() can deadlock on a lock one of them
    // held.
    std::string bin = std::move(program);
    std::vector<std::string> arg_copy = args;
    std::vector<char*> argv{bin.data()};
    for (auto& a : arg_copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_copy = env;
    std::vector<char*> envp;
    for (auto& e : env_copy) envp.push_back(e.data());  // first, so they win over inherited ones
    for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
    envp.push_back(nullptr);
    start_ = std::chrono::steady_clock::now();
    pid_ = ::fork();
    if (pid_ == 0) {
      int out = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(out, 1);
      ::dup2(err, 2);
      ::execve(bin.c_str(), argv.data(), envp.data());
      ::_exit(127);
    }
  }
  ~Arrload() {
    if (!done_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Arrload(const Arrload&) = delete;
  Arrload& operator=(const Arrload&) = delete;

  void signal(int signal_number) { ::kill(pid_, signal_number); }
  pid_t pid() const { return pid_; }
  std::string err_so_far() const { return read_file(err_path_); }

  // Waits for the exit. After SIGNAL_AFTER (if > 0) sends SIGNAL_NUMBER; kills it after LIMIT
  // (the test then fails on the exit code).
  ProcessResult wait(std::chrono::seconds limit) {
    return wait(std::chrono::milliseconds(0), SIGTERM, limit);
  }
  ProcessResult wait(std::chrono::milliseconds signal_after, int signal_number,
                     std::chrono::seconds limit) {
    ProcessResult r;
    bool signalled = false;
    int status = 0;
    while (true) {
      pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_) break;
      auto elapsed = std::chrono::steady_clock::now() - start_;
      if (!signalled && signal_after.count() > 0 && elapsed >= signal_after) {
        ::kill(pid_, signal_number);
        signalled = true;
      }
      if (elapsed >= limit) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        ADD_FAILURE() << "arrload did not finish within " << limit.count() << " s";
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    done_ = true;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read_file(out_path_);
    r.err = read_file(err_path_);
    return r;
  }

 private:
  TempDir io_;
  std::string out_path_, err_path_;
  std::chrono::steady_clock::time_point start_;
  pid_t pid_ = -1;
  bool done_ = false;
};

// Runs the arrload binary with ARGS (without argv[0]) until it exits. After SIGNAL_AFTER (if
// > 0) sends SIGNAL_NUMBER. Kills it after LIMIT (the test then fails on the exit code).
inline ProcessResult run_arrload(
    const std::vector<std::string>& args,
    std::chrono::milliseconds signal_after = std::chrono::milliseconds(0),
    int signal_number = SIGTERM, std::chrono::seconds limit = std::chrono::seconds(60),
    const std::vector<std::string>& env = {}) {
  Arrload child(args, env);
  return child.wait(signal_after, signal_number, limit);
}

// The lines of TEXT.
// The arguments of a headless `run -f SCENARIO --master` bound to 127.0.0.1:PORT against HOST,
// followed by MORE.
inline std::vector<std::string> master_run_args(const std::string& scenario,
                                                const std::string& port, const std::string& host,
                                                std::vector<std::string> more) {
  std::vector<std::string> args{"run",
                                "-f",
                                scenario,
                                "--master",
                                "--master-bind-host",
                                "127.0.0.1",
                                "--master-bind-port",
                                port,
                                "--headless",
                                "-H",
                                host};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The cells of one CSV line, with Python csv's quoting ("a, b" and doubled quotes).
inline std::vector<std::string> split_cells(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      cur += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// The stats.csv row whose Name is NAME (and Type METHOD, when given); empty when missing.
inline std::vector<std::string> stats_row(const std::string& csv, const std::string& name,
                                          const std::string& method = "") {
  for (const auto& line : split_lines(csv)) {
    auto cells = split_cells(line);
    if (cells.size() > 2 && cells[1] == name && (method.empty() || cells[0] == method)) {
      return cells;
    }
  }
  return {};
}

}  // namespace arrload::testing

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace arrload::testing {

// An answer: status 0 when none came (refused, closed, not HTTP/1.1).
struct Reply {
  int status = 0;  // 0: no answer
  std::string headers;
  std::string body;
};

// One blocking request to 127.0.0.1:PORT with Connection: close (a POST body is sent as a form).
inline Reply http(unsigned short port, const std::string& method, const std::string& path,
                  const std::string& body = "", const std::string& extra_headers = "") {
  Reply r;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return r;
  }
  std::string req =
      method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra_headers;
  if (method == "POST") {
    req += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  ::send(fd, req.data(), req.size(), 0);
  std::string resp;
  char buf[8192];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) {
    resp.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  auto head_end = resp.find("\r\n\r\n");
  if (resp.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return r;
  r.status = std::stoi(resp.substr(9, 3));
  r.headers = resp.substr(0, head_end);
  r.body = resp.substr(head_end + 4);
  return r;
}

// A blocking GET to 127.0.0.1:PORT; returns the body ("" on failure).
inline std::string http_get_body(unsigned short port, const std::string& path) {
  return http(port, "GET", path).body;
}

}  // namespace arrload::testing

namespace arrload::testing {

// Polls PRED every 100 ms for up to LIMIT; true once it held.
inline bool eventually(const std::function<bool()>& pred, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// A cluster worker's closing log line "Reported GET /ping: 123 requests, 0 failures" (WHAT:
// "Reported GET /ping"): {requests, failures}; {-1, -1} when missing.
inline std::pair<long, long> reported(const std::string& log, const std::string& what) {
  std::smatch m;
  std::regex re(std::regex_replace(what, std::regex(R"([.^$|()\[\]{}*+?\\/])"), R"(\$&)") +
                R"(: (\d+) requests, (\d+) failures)");
  if (!std::regex_search(log, m, re)) return {-1, -1};
  return {std::stol(m[1]), std::stol(m[2])};
}

// Two weighted classes against the embedded target, one of them failing every request (500).
inline constexpr const char* kPingerAndBreaker = R"(
users:
  - name: Pinger
    weight: 3
    wait: constant(0.02)
    tasks:
      - {name: ping, request: GET /ping}
  - name: Breaker
    weight: 1
    wait: constant(0.05)
    tasks:
      - {name: broken, request: GET /__target/status/500}
)";

// A test with the embedded target on 127.0.0.1 (no simulated latency) and a scratch directory.
class TargetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    target::Options opts;
    opts.port = 0;
    opts.latency_scale = 0;
    opts.admin = true;  // some tests steer /__target/faults (off by default: server_test)
    server_ = std::make_unique<target::Server>(opts);
    server_->start();
    host_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override { server_->stop(); }

  // Requests the target has answered so far (the stats request itself is counted after it); -1
  // when its statistics cannot be read.
  long served() {
    std::string body = http_get_body(server_->port(), "/__target/stats");
    std::smatch m;
    if (!std::regex_search(body, m, std::regex("\"requests_served\"\\s*:\\s*(\\d+)"))) return -1;
    return std::stol(m[1]);
  }

  std::unique_ptr<target::Server> server_;
  std::string host_;
  TempDir dir_;
};

}  // namespace arrload::testing
