#include "cli/web_command.h"

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "budget/verdict.h"
#include "cli/metrics_endpoint.h"
#include "cli/run_support.h"
#include "cluster/master.h"
#include "core/redact.h"
#include "engine/control.h"
#include "monitor/memory.h"
#include "report/html.h"
#include "report/json.h"
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
  // Ctrl-C: stops a running test as a signal would a headless one, and waits for its reports;
  // a further signal of SIGNALS (blocked in every thread) meanwhile hurries it.
  void interrupt(const sigset_t& signals) {
    {
      std::lock_guard lock(mu_);
      if (runner_ != nullptr) runner_->stop(engine::StopReason::kSignal);
    }
    while (thread_.joinable() && !ended_at()) {
      const timespec tick{0, 100'000'000};
      const int signo = sigtimedwait(&signals, nullptr, &tick);
      if (signo <= 0) continue;
      note_signal(signo);
      std::lock_guard lock(mu_);
      if (runner_ != nullptr) runner_->hurry();
    }
    if (thread_.joinable()) thread_.join();
  }

  int last_status() const {
    std::lock_guard lock(mu_);
    return status_;
  }
  // When the last test ended (steady clock); none while one runs or before the first.
  std::optional<std::chrono::steady_clock::time_point> ended_at() const {
    std::lock_guard lock(mu_);
    if (state_ != web::RunState::kStopped) return std::nullopt;
    return ended_at_;
  }

  std::string swarm(const web::SwarmRequest& r) override {
    std::unique_lock lock(mu_);
    if (state_ == web::RunState::kSpawning || state_ == web::RunState::kRunning) {
      if (runner_ == nullptr) return "the test is starting; try again in a moment";
      if (r.users < 0) return "user_count is required to change a running test";
      target_users_ = r.users;
      runner_->retarget(engine::UserTargets{r.users, std::nullopt, r.spawn_rate});
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
      ended_at_ = std::chrono::steady_clock::now();
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
    runner_->stop();
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
    return core::redact(host_);  // a password in the URL stays out of the UI
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
  web::Timeline timeline() const override {
    std::lock_guard lock(mu_);
    web::Timeline t;
    t.points = history_.points();
    t.origin_unix = history_.origin_unix();
    t.memory = memory_samples_locked();
    t.memory_source = page_.memory_source;
    return t;
  }
  std::optional<std::string> report_html() const override {
    std::lock_guard lock(mu_);
    if (!snapshot_) return std::nullopt;
    report::HtmlReport html = page_;
    html.snap = &*snapshot_;
    html.info = info_locked();
    html.history = &history_;
    const std::vector<monitor::MemorySample> samples = memory_samples_locked();
    if (memory_ != nullptr || !samples.empty()) html.memory = &samples;
    return report::html_report(html);
  }
  std::optional<std::string> report_json() const override {
    std::lock_guard lock(mu_);
    if (!snapshot_) return std::nullopt;
    return report::json_report(*snapshot_, info_locked());
  }
  std::optional<std::vector<web::WorkerRow>> workers() const override {
    if (cmd_.master == nullptr) return std::nullopt;
    std::vector<web::WorkerRow> out;
    for (const cluster::WorkerView& w : cmd_.master->workers()) {
      out.push_back({w.id, w.state, w.user_count, w.cpu_percent, w.memory_bytes});
    }
    return out;
  }

  report::MetricsInfo metrics_info() const override {
    std::lock_guard lock(mu_);
    report::MetricsInfo info;
    if (!history_.points().empty() && history_.points().back().generator_cpu >= 0) {
      info.generator_cpu_cores = history_.points().back().generator_cpu / 100.0;
    }
    if (memory_ != nullptr) {
      if (auto latest = memory_->latest()) info.target_resident_bytes = latest->rss_bytes;
    } else {
      for (auto it = memory_samples_.rbegin(); it != memory_samples_.rend(); ++it) {
        if (!it->ok) continue;
        info.target_resident_bytes = it->rss_bytes;
        break;
      }
    }
    return info;
  }

  std::vector<web::ClassTasks> tasks() const override {
    std::lock_guard lock(mu_);
    // The classes' shares of the users running, or of the weights when no test runs.
    const bool live =
        snapshot_ && (state_ == web::RunState::kSpawning || state_ == web::RunState::kRunning);
    double running = 0;
    if (live) {
      for (const auto& [name, n] : snapshot_->users_per_class) running += static_cast<double>(n);
    }
    double weights = 0;
    for (const scenario::UserClass& c : suite_.classes) weights += c.weight;
    std::vector<web::ClassTasks> out;
    for (const scenario::UserClass& c : suite_.classes) {
      web::ClassTasks t{c.name, 0, scenario::task_shares(c.root)};
      if (running > 0) {
        for (const auto& [name, n] : snapshot_->users_per_class) {
          if (name == c.name) t.share = static_cast<double>(n) / running;
        }
      } else if (weights > 0) {
        t.share = c.weight / weights;
      }
      out.push_back(std::move(t));
    }
    return out;
  }
  std::optional<std::string> full_history_csv() const override {
    if (cmd_.csv_prefix.empty()) return std::nullopt;
    std::ifstream in(cmd_.csv_prefix + "_stats_history.csv", std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // RunObserver, on the run's thread.
  void started(engine::RunControl& runner, const report::HtmlReport& page,
               const monitor::MemorySampler* memory) override {
    std::lock_guard lock(mu_);
    runner_ = &runner;
    snapshot_.reset();
    verdict_.reset();
    page_ = page;
    memory_ = memory;
    memory_samples_.clear();
    history_ = report::History();
    stop_reason_.clear();
    generator_.clear();
  }
  void second(const stats::Snapshot& snap, const budget::Verdict* so_far,
              double generator_cpu) override {
    std::lock_guard lock(mu_);
    snapshot_ = snap;
    history_.append(snap, /*force=*/false, generator_cpu);
    verdict_.reset();
    if (so_far != nullptr) verdict_ = *so_far;
    if (state_ == web::RunState::kSpawning &&
        snap.user_count >= static_cast<std::uint64_t>(target_users_)) {
      state_ = web::RunState::kRunning;
    }
  }
  void finished(const stats::Snapshot& final_snap, const report::RunInfo& info,
                int status) override {
    std::lock_guard lock(mu_);
    snapshot_ = final_snap;
    history_.append(final_snap, /*force=*/true);
    if (info.verdict != nullptr) verdict_ = *info.verdict;
    stop_reason_ = info.stop_reason;
    generator_ = info.generator;
    if (memory_ != nullptr) memory_samples_ = memory_->samples();
    memory_ = nullptr;  // the sampler ends with the run
    status_ = status;
    finished_ = true;
    runner_ = nullptr;
    ended_at_ = std::chrono::steady_clock::now();
    state_ = web::RunState::kStopped;
  }

 private:
  // What the JSON and HTML reports say of the run so far. REQUIRES: mu_ held.
  report::RunInfo info_locked() const {
    report::RunInfo info = page_.info;
    info.stop_reason = stop_reason_.empty() ? "running" : stop_reason_;
    info.verdict = verdict_ ? &*verdict_ : nullptr;
    info.generator = generator_;
    if (generator_.empty() && !history_.points().empty() &&
        history_.points().back().generator_cpu >= 0) {
      // While the test runs: the newest reading kept (the self-check sums up at the end).
      info.generator = fmt::format("generator CPU {:.0f}% of one core (newest reading)",
                                   history_.points().back().generator_cpu);
    }
    return info;
  }
  std::vector<monitor::MemorySample> memory_samples_locked() const {
    return memory_ != nullptr ? memory_->samples() : memory_samples_;
  }

  RunCommand cmd_;
  const scenario::Suite& suite_;
  const budget::Budgets& budgets_;
  mutable std::mutex mu_;
  std::thread thread_;
  engine::RunControl* runner_ = nullptr;
  web::RunState state_ = web::RunState::kReady;
  int target_users_ = 0;
  std::optional<stats::Snapshot> snapshot_;
  std::optional<budget::Verdict> verdict_;
  std::string host_;
  std::string last_error_;
  report::HtmlReport page_;  // the run's parameters (no pointer set)
  report::History history_;
  const monitor::MemorySampler* memory_ = nullptr;     // while a run samples the target
  std::vector<monitor::MemorySample> memory_samples_;  // after it
  std::string stop_reason_;                            // "" while running
  std::string generator_;                              // the self-check's summary, after it
  std::chrono::steady_clock::time_point ended_at_;
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
  // --prometheus-port: /metrics also on a port of its own (no login), as a headless run has it.
  std::unique_ptr<web::Server> metrics;
  if (cmd.prometheus_port != 0) {
    try {
      metrics = start_metrics_server(cmd, [&run] { return web::metrics_response(run).body; });
    } catch (const std::exception& e) {
      fmt::print(stderr, "arrload: {}\n", e.what());
      return kExitRuntimeError;
    }
  }
  // web::Server::start() warned already when the UI is exposed without a login.
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
  // Until SIGINT/SIGTERM, or --autoquit seconds after a test ended.
  int signo = 0;
  for (;;) {
    if (cmd.autoquit < 0) {
      sigwait(&signals, &signo);
      break;
    }
    const timespec tick{0, 200'000'000};
    signo = sigtimedwait(&signals, nullptr, &tick);
    if (signo > 0) break;
    auto ended = run.ended_at();
    if (ended && std::chrono::steady_clock::now() - *ended >= std::chrono::seconds(cmd.autoquit)) {
      fmt::print(stderr, "arrload: the test ended {} s ago, quitting (--autoquit)\n", cmd.autoquit);
      break;
    }
  }
  if (signo > 0) {
    fmt::print(stderr,
               "arrload: {} received, stopping the web UI (a second Ctrl-C ends the test at "
               "once)\n",
               signo == SIGINT ? "SIGINT" : "SIGTERM");
    note_signal(signo);  // a pre-flight or recovery probe in progress ends too
    run.interrupt(signals);
  }
  run.shut_down();
  if (metrics) metrics->stop();
  server.stop();
  return run.last_status();
}

}  // namespace arrload::cli
