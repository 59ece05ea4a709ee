#include "cli/web_command.h"

#include <signal.h>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "budget/verdict.h"
#include "engine/runner.h"
#include "web/server.h"

namespace arrload::cli {

namespace {

// The web UI's view of the runs: one at a time, each on its own thread through
// run_suite_once, followed through RunObserver.
class WebRun final : public web::Control, public RunObserver {
 public:
  WebRun(RunCommand cmd, const scenario::Suite& suite, const budget::Budgets& budgets)
      : cmd_(std::move(cmd)), suite_(suite), budgets_(budgets) {
    cmd_.observer = this;
    host_ = !cmd_.host.empty() ? cmd_.host : suite_.host;
  }
  ~WebRun() override { shut_down(); }

  // Stops a running test and waits for its reports.
  void shut_down() {
    stop();
    if (thread_.joinable()) thread_.join();
  }

  int last_status() const {
    std::lock_guard lock(mu_);
    return status_;
  }

  std::string swarm(const web::SwarmRequest& r) override {
    std::unique_lock lock(mu_);
    if (state_ == web::RunState::kSpawning || state_ == web::RunState::kRunning) {
      if (runner_ == nullptr) return "the test is starting; try again in a moment";
      if (r.users < 0) return "user_count is required to change a running test";
      target_users_ = r.users;
      runner_->set_target(r.users, r.spawn_rate);
      state_ = web::RunState::kSpawning;
      return "";
    }
    RunCommand cmd = cmd_;
    const scenario::Profile* profile = nullptr;
    if (!r.profile.empty()) {
      profile = suite_.find_profile(r.profile);
      if (profile == nullptr) return fmt::format("no profile '{}' in the scenario", r.profile);
    }
    if (r.users >= 0) {
      cmd.users = r.users;
      cmd.users_given = true;
    }
    if (r.spawn_rate > 0) {
      cmd.spawn_rate = r.spawn_rate;
      cmd.spawn_rate_given = true;
    }
    cmd.run_time = r.run_time;
    cmd.run_time_given = !r.run_time.empty();
    if (!r.host.empty()) cmd.host = r.host;
    lock.unlock();
    if (thread_.joinable()) thread_.join();  // the previous run has ended: only its reports left
    lock.lock();
    host_ = !cmd.host.empty() ? cmd.host : suite_.host;
    state_ = web::RunState::kSpawning;
    target_users_ = cmd.users;
    last_error_.clear();
    finished_ = false;
    thread_ = std::thread([this, cmd, profile] {
      const int status = run_suite_once(cmd, suite_, profile, budgets_);
      std::lock_guard guard(mu_);
      status_ = status;
      runner_ = nullptr;
      if (!finished_) {
        last_error_ =
            fmt::format("the test did not start (exit status {}); the console says why", status);
      }
      state_ = web::RunState::kStopped;
    });
    return "";
  }

  bool stop() override {
    std::lock_guard lock(mu_);
    if (runner_ == nullptr) return false;
    runner_->request_stop();
    return true;
  }

  void reset_stats() override {
    std::lock_guard lock(mu_);
    if (runner_ != nullptr) runner_->reset_stats();
  }

  web::RunState state() const override {
    std::lock_guard lock(mu_);
    return state_;
  }
  std::optional<stats::Snapshot> snapshot() const override {
    std::lock_guard lock(mu_);
    return snapshot_;
  }
  std::optional<budget::Verdict> verdict() const override {
    std::lock_guard lock(mu_);
    return verdict_;
  }
  std::string host() const override {
    std::lock_guard lock(mu_);
    return host_;
  }
  std::vector<std::string> profiles() const override {
    std::vector<std::string> names;
    for (const scenario::Profile& p : suite_.profiles) names.push_back(p.name);
    return names;
  }
  std::string last_error() const override {
    std::lock_guard lock(mu_);
    return last_error_;
  }

  // RunObserver, on the run's thread.
  void started(engine::Runner& runner) override {
    std::lock_guard lock(mu_);
    runner_ = &runner;
    snapshot_.reset();
    verdict_.reset();
  }
  void second(const stats::Snapshot& snap, const budget::Verdict* so_far) override {
    std::lock_guard lock(mu_);
    snapshot_ = snap;
    verdict_.reset();
    if (so_far != nullptr) verdict_ = *so_far;
    if (state_ == web::RunState::kSpawning &&
        snap.user_count >= static_cast<std::uint64_t>(target_users_)) {
      state_ = web::RunState::kRunning;
    }
  }
  void finished(const stats::Snapshot& final_snap, const budget::Verdict* verdict,
                int status) override {
    std::lock_guard lock(mu_);
    snapshot_ = final_snap;
    if (verdict != nullptr) verdict_ = *verdict;
    status_ = status;
    finished_ = true;
    runner_ = nullptr;
    state_ = web::RunState::kStopped;
  }

 private:
  RunCommand cmd_;
  const scenario::Suite& suite_;
  const budget::Budgets& budgets_;
  mutable std::mutex mu_;
  std::thread thread_;
  engine::Runner* runner_ = nullptr;
  web::RunState state_ = web::RunState::kReady;
  int target_users_ = 0;
  std::optional<stats::Snapshot> snapshot_;
  std::optional<budget::Verdict> verdict_;
  std::string host_;
  std::string last_error_;
  bool finished_ = false;
  int status_ = kExitOk;
};

}  // namespace

int execute_web(const RunCommand& cmd, const scenario::Suite& suite,
                const budget::Budgets& budgets) {
  // Blocked before any thread starts, so every thread inherits the mask and only the sigwait
  // below takes SIGINT/SIGTERM: it stops a running test (its reports are written) and quits.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  struct Unblock {
    sigset_t* set;
    ~Unblock() { pthread_sigmask(SIG_UNBLOCK, set, nullptr); }
  } unblock{&signals};
  WebRun run(cmd, suite, budgets);
  web::ServerOptions options;
  options.host = cmd.web_host;
  options.port = static_cast<unsigned short>(cmd.web_port);
  options.login = cmd.web_login;
  web::Server server(options, run);
  try {
    server.start();
  } catch (const std::exception& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    return kExitRuntimeError;
  }
  fmt::print(stderr, "arrload: web UI on http://{}:{}/ (Ctrl-C to quit)\n", cmd.web_host,
             server.port());
  if (cmd.web_host != "127.0.0.1" && cmd.web_host != "::1" && cmd.web_login.empty()) {
    fmt::print(stderr,
               "arrload: WARNING: the web UI listens beyond this machine without a login "
               "(--web-login USER:PASSWORD protects it)\n");
  }
  std::fflush(stderr);
  if (cmd.autostart) {
    web::SwarmRequest r;
    r.users = cmd.users;
    r.spawn_rate = cmd.spawn_rate;
    r.run_time = cmd.run_time;
    if (!cmd.profiles.empty()) r.profile = cmd.profiles.front();
    std::string error = run.swarm(r);
    if (!error.empty()) fmt::print(stderr, "arrload: --autostart: {}\n", error);
  }
  int signo = 0;
  sigwait(&signals, &signo);
  fmt::print(stderr, "arrload: {} received, stopping the web UI\n",
             signo == SIGINT ? "SIGINT" : "SIGTERM");
  run.shut_down();
  server.stop();
  return run.last_status();
}

}  // namespace arrload::cli
