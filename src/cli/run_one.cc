#include "cli/run_one.h"

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "budget/verdict.h"
#include "budget/window.h"
#include "cli/locust_json.h"
#include "cli/metrics_endpoint.h"
#include "cli/run_baseline.h"
#include "cli/run_monitoring.h"
#include "cli/run_reports.h"
#include "cli/run_support.h"
#include "cluster/master.h"
#include "core/clock.h"
#include "core/duration.h"
#include "core/redact.h"
#include "engine/class_hosts.h"
#include "engine/runner.h"
#include "http/url.h"
#include "monitor/preflight.h"
#include "report/console.h"
#include "report/csv.h"
#include "report/history.h"
#include "report/html.h"
#include "report/verdict.h"
#include "stats/aggregator.h"

namespace arrload::cli {

namespace {

// Phase 1: the engine's options from CMD; nullopt (the problem printed) for an unusable value.
std::optional<engine::RunOptions> engine_options(const RunCommand& cmd,
                                                 std::optional<scenario::Shape> shape) {
  engine::RunOptions opts;
  opts.shape = std::move(shape);
  opts.host = cmd.host;
  opts.users = cmd.users;
  opts.spawn_rate = cmd.spawn_rate;
  if (!cmd.run_time.empty()) {
    opts.run_time = duration_option("--run-time", cmd.run_time, /*allow_zero=*/false);
    if (!opts.run_time) return std::nullopt;
  }
  auto stop_timeout = duration_option("--stop-timeout", cmd.stop_timeout, /*allow_zero=*/true);
  if (!stop_timeout) return std::nullopt;
  opts.stop_timeout = *stop_timeout;
  opts.threads = cmd.threads;
  opts.reset_stats = cmd.reset_stats;
  opts.verify_tls = cmd.verify_tls;
  opts.max_body_bytes = cmd.max_body_bytes;
  opts.seed = cmd.seed;
  opts.iterations = cmd.iterations;
  opts.arrival_rate = cmd.arrival_rate;
  if (level_rank(cmd.loglevel) == 0) {
    // -L DEBUG: a line per request, as Locust's DEBUG shows each request urllib3 sends.
    opts.on_sample = [](const stats::SampleView& s) {
      log_line("DEBUG", fmt::format("Request {} {}: {:.2f} ms, {} bytes{}{}", s.method, s.name,
                                    static_cast<double>(s.latency_us) / 1e3, s.body_bytes,
                                    s.failed ? ", failed: " : "", s.error));
    };
  }
  return opts;
}

std::optional<MonitorSettings> monitor_settings(const RunCommand& cmd, const std::string& health,
                                                const std::string& host) {
  MonitorSettings mon;
  mon.health_url = resolve_health_url(!cmd.health.empty() ? cmd.health : health, host);
  mon.preflight = !cmd.no_preflight;
  for (auto [name, url] : {std::pair{"--health", &std::as_const(mon.health_url)},
                           std::pair{"--target-metrics", &cmd.target_metrics}}) {
    if (!url->empty() && !http::Url::parse(*url)) {
      fmt::print(stderr, "arrload: {}: '{}' is not a URL (write http://HOST[:PORT]/PATH{})\n", name,
                 *url, std::string_view(name) == "--health" ? ", or a path such as /health" : "");
      return std::nullopt;
    }
  }
  for (auto [name, text, out, zero] :
       {std::tuple{"--preflight-timeout", &cmd.preflight_timeout, &mon.preflight_timeout, false},
        std::tuple{"--recovery-wait", &cmd.recovery_wait, &mon.recovery_wait, true}}) {
    auto d = duration_option(name, *text, /*allow_zero=*/zero);
    if (!d) return std::nullopt;
    *out = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
  }
  mon.target_pid = cmd.target_pid;
  mon.target_metrics = cmd.target_metrics;
  mon.leak = {cmd.leak_rate, cmd.leak_fraction / 100.0};
  return mon;
}

// The run's parameters as the HTML report (here and in the web UI) shows them.
report::HtmlReport page_for(const RunCommand& cmd, const engine::RunOptions& opts,
                            const std::string& host) {
  report::HtmlReport page;
  page.info.host = core::redact(host);
  page.info.scenario = cmd.scenario;
  page.profile = cmd.profile_name;
  if (opts.shape) {
    int peak = 0;
    for (const scenario::ShapeStage& st : opts.shape->stages) peak = std::max(peak, st.users);
    page.shape = fmt::format("{}: {} stages, {}", opts.shape->name, opts.shape->stages.size(),
                             core::format_duration(opts.shape->total()));
    page.users = fmt::format("up to {} (load shape)", peak);
  } else {
    page.users = std::to_string(cmd.users);
    page.spawn_rate = fmt::format("{:g}/s", cmd.spawn_rate);
  }
  page.run_time = !cmd.run_time.empty() ? cmd.run_time
                  : opts.shape          ? core::format_duration(opts.shape->total())
                                        : "";
  return page;
}

// The planned length of the run (-t, or the shape's end if sooner); none = until stopped.
std::optional<std::chrono::microseconds> planned_length(const engine::RunOptions& opts) {
  std::optional<std::chrono::microseconds> out = opts.run_time;
  if (opts.shape && (!out || opts.shape->total() < *out)) out = opts.shape->total();
  return out;
}

// Phase 2, failed: no load is sent, but every report asked for is written, with empty
// statistics, the pre-flight failure in the failures and the verdict, so a CI step that uploads
// them finds them.
int preflight_failed(const RunCommand& cmd, report::HtmlReport page, const std::string& raw_url,
                     const std::string& message) {
  const std::string url = core::redact(raw_url);
  fmt::print(stderr,
             "arrload: pre-flight failed: GET {}: {}; no load was sent (--no-preflight skips "
             "the check)\n",
             url, message);
  const core::Micros now = core::now_us();
  const double now_unix = core::wall_unix_seconds();
  stats::Aggregator aggregator(now, now_unix);
  stats::ShardDelta delta;
  delta.errors.push_back({stats::ErrorKey{"GET", url, "pre-flight: " + message},
                          stats::ErrorCount{1, now_unix, now_unix}});
  aggregator.absorb(std::move(delta));
  aggregator.tick();
  const stats::Snapshot snap = aggregator.snapshot(now, now_unix);
  budget::Verdict verdict;
  verdict.criteria.push_back({"pre-flight",
                              fmt::format("GET {}: {}; no load was sent", url, message), false,
                              budget::kExitPreflight});
  page.info.stop_reason = "preflight_failed";
  page.info.verdict = &verdict;
  bool ok = write_stats_files(cmd, snap, nullptr, nullptr);
  ok &= write_judged_files(cmd, snap, page, nullptr);
  if (cmd.json_stdout) fmt::print("[]\n");  // no request was sent
  return ok ? budget::kExitPreflight : kExitRuntimeError;
}

// Phase 3's per-second work on the control thread: history, charts, windows, the ramp-up's end,
// --abort-on-fail and the web UI's view.
struct LiveRun {
  const RunCommand& cmd;
  const budget::Budgets& budgets;
  std::optional<std::chrono::microseconds> abort_grace;  // set with --abort-on-fail
  std::uint64_t ramp_target = 0;  // the first target user count (the first stage's)
  GeneratorWatch generator;
  budget::WindowJudge windows;
  std::unique_ptr<report::History> timeline;  // the HTML report's charts
  std::unique_ptr<report::HistoryCsv> history;
  std::unique_ptr<LocustJson> locust_json;  // with --json
  std::optional<double> ramp_up_end;        // when the leak detector starts judging memory
  std::string abort_reason;  // the breached check, once --abort-on-fail stopped the run
  bool debug = false;        // -L DEBUG: a line per endpoint and second
  engine::RunControl* runner = nullptr;
  const monitor::MemorySampler* memory = nullptr;  // the target's, when watched

  LiveRun(const RunCommand& c, const budget::Budgets& b) : cmd(c), budgets(b), windows(b) {}

  void second(const stats::Snapshot& snap) {
    const monitor::SelfCheckSample& sample = generator.tick();
    const double cpu = sample.cpu_percent;
    if (cmd.metrics != nullptr) post_metrics(*cmd.metrics, snap, &sample);
    windows.add_second(snap);
    if (timeline) timeline->append(snap, /*force=*/false, cpu);
    if (!ramp_up_end && snap.user_count >= ramp_target) ramp_up_end = snap.elapsed_s;
    const bool abort_check = abort_grace && abort_reason.empty() &&
                             snap.elapsed_s * 1e6 >= static_cast<double>(abort_grace->count());
    // The budgets so far, over everything recorded until now (windowed ones over the closed
    // windows): judged once for --abort-on-fail and the web UI.
    std::optional<budget::Verdict> so_far;
    if (!budgets.empty() && (abort_check || cmd.observer)) {
      so_far = budget::judge(snap, budgets, &windows);
    }
    if (cmd.observer) cmd.observer->second(snap, so_far ? &*so_far : nullptr, cpu);
    if (abort_check && so_far) check_abort(*so_far);
    if (history) history->append(snap);
    if (locust_json) locust_json->observe(snap);
    if (debug) debug_second(snap);
  }

  // --prometheus-port: the board the scrapes read (SAMPLE: the self-check's, when one was taken).
  void post_metrics(MetricsBoard& board, const stats::Snapshot& snap,
                    const monitor::SelfCheckSample* sample) const {
    board.update(snap);
    if (sample != nullptr) board.set_generator(*sample);
    if (memory != nullptr) {
      if (auto latest = memory->latest()) board.set_target_memory(*latest);
    }
  }

  static void debug_second(const stats::Snapshot& snap) {
    for (const stats::EndpointStats& e : snap.endpoints) {
      const stats::Entry& s = e.last_second;
      if (s.num_requests == 0) continue;
      log_line("DEBUG", fmt::format("{} {}: {} requests, {} failed, {:.1f}-{:.1f} ms in the last "
                                    "second",
                                    e.key.method, e.key.name, s.num_requests, s.num_failures,
                                    static_cast<double>(s.latency.min()) / 1e3,
                                    static_cast<double>(s.latency.max()) / 1e3));
    }
  }

  // Like k6's abortOnFail: the first breached budget with data stops the run.
  void check_abort(const budget::Verdict& so_far) {
    for (const budget::Check& c : so_far.checks) {
      if (c.has_data && !c.pass) {
        abort_reason = fmt::format("{}: {} is {} (budget {})", c.subject, c.threshold.metric_name(),
                                   c.describe_actual(), c.threshold.describe());
        log_line("WARNING", "Budget breached, stopping the run (--abort-on-fail): " + abort_reason);
        runner->stop();
        return;
      }
    }
  }
};

// Why the run counts as interrupted ("" when it does not): stopped from outside (a signal, the
// web UI's stop) before its planned end. A run without a planned end has no other way to end.
std::string interruption(const engine::RunResult& result, const LiveRun& live,
                         std::optional<std::chrono::microseconds> planned) {
  if (!planned || !live.abort_reason.empty()) return {};
  if (result.reason == engine::StopReason::kRunTime ||
      result.reason == engine::StopReason::kFailed) {
    return {};
  }
  const std::string by =
      result.reason == engine::StopReason::kSignal ? "a signal (SIGINT/SIGTERM)" : "a stop request";
  return fmt::format("stopped by {} after {:.1f} s of a planned {}; the results are partial", by,
                     result.final.elapsed_s, core::format_duration(*planned));
}

// -L DEBUG: the run's settings, and a line at each spawn and stop event.
void debug_hooks(const RunCommand& cmd, const engine::RunOptions& opts, const std::string& host,
                 engine::RunHooks& hooks) {
  log_line(
      "DEBUG",
      fmt::format("Run: host {}, {}, run time {}, stop timeout {}, threads {}, seed {}{}{}", host,
                  opts.shape ? "load shape " + opts.shape->name
                             : fmt::format("{} users at {:g}/s", opts.users, opts.spawn_rate),
                  cmd.run_time.empty() ? "none" : cmd.run_time, cmd.stop_timeout,
                  opts.threads == 0 ? "one per core" : std::to_string(opts.threads),
                  opts.seed == 0 ? "random" : std::to_string(opts.seed),
                  cmd.iterations > 0 ? fmt::format(", at most {} tasks", cmd.iterations) : "",
                  cmd.profile_name.empty() ? "" : ", profile " + cmd.profile_name));
  hooks.spawning = [](const engine::UserTargets& t) {
    std::string users = std::to_string(t.users);
    if (t.per_class) {
      users.clear();
      for (int n : *t.per_class) users += (users.empty() ? "" : "/") + std::to_string(n);
      users += " per class";
    }
    log_line("DEBUG", fmt::format("Spawning: to {} users at {:g}/s", users, t.spawn_rate));
  };
  hooks.spawned = [](const engine::ClassCounts& counts) {
    std::string list;
    for (const auto& [name, n] : counts)
      list += fmt::format("{}{}: {}", list.empty() ? "" : ", ", name, n);
    log_line("DEBUG", fmt::format("Spawned: {}", list.empty() ? "no users" : list));
  };
  hooks.stopping = [](engine::StopReason why) {
    log_line("DEBUG", fmt::format("Stopping every user ({})", reason_name(why)));
  };
}

}  // namespace

int run_one(const RunCommand& cmd, const scenario::Suite* suite,
            std::optional<scenario::Shape> shape, const budget::Budgets& budgets) {
  // Phase 1: options.
  std::optional<engine::RunOptions> opts = engine_options(cmd, std::move(shape));
  if (!opts) return kExitUsage;
  const std::string host = !cmd.host.empty() ? cmd.host : suite->host;
  std::optional<MonitorSettings> mon = monitor_settings(cmd, suite->health, host);
  if (!mon) return kExitUsage;
  std::optional<BaselineGate> baseline;
  if (!load_baseline(cmd, &baseline)) return kExitUsage;
  LiveRun live(cmd, budgets);
  if (cmd.abort_on_fail) {
    live.abort_grace = duration_option("--abort-grace", cmd.abort_grace, /*allow_zero=*/true);
    if (!live.abort_grace) return kExitUsage;
  }
  std::unique_ptr<monitor::MemorySampler> memory;
  try {
    engine::check_hosts(*suite, opts->host);
    if (auto source = memory_source(*mon)) {
      memory = std::make_unique<monitor::MemorySampler>(std::move(source));
    }
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    return kExitUsage;
  }
  report::HtmlReport page = page_for(cmd, *opts, host);
  if (memory) page.memory_source = memory->source().description();
  // Before any load: a report that could not be written stops the run here.
  if (auto error = check_report_paths(cmd)) {
    fmt::print(stderr, "arrload: {}\n", *error);
    return kExitUsage;
  }
  try {
    if (!cmd.csv_prefix.empty()) {
      live.history = std::make_unique<report::HistoryCsv>(cmd.csv_prefix, cmd.csv_full_history);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "arrload: --csv: {}\n", e.what());
    return kExitUsage;
  }

  // Phase 2: pre-flight. Headless: a Ctrl-C from here on still ends in reports (the web UI
  // blocks the signals); the runner, made after it, takes the signals over.
  if (cmd.observer == nullptr) catch_signals();
  const bool info_level = level_rank(cmd.loglevel) <= 1;
  double baseline_ms = 0;
  if (!mon->health_url.empty() && mon->preflight && g_signal == 0) {
    monitor::PreflightResult pre = monitor::check_health(mon->health_url, mon->preflight_timeout,
                                                         [] { return g_signal != 0; });
    if (!pre.ok && g_signal == 0) {
      return preflight_failed(cmd, page, mon->health_url, pre.message);
    }
    baseline_ms = pre.latency_ms;
    if (pre.ok && info_level) {
      log_line("INFO",
               fmt::format("Pre-flight: GET {}: {}", core::redact(mon->health_url), pre.message));
    }
  }

  // Phase 3: the run.
  std::unique_ptr<engine::Engine> runner;
  try {
    runner = cmd.master != nullptr ? cmd.master->new_run(*opts)
                                   : std::make_unique<engine::Runner>(*suite, *opts);
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    return kExitUsage;
  }
  engine::RunHooks hooks;
  hooks.info = [&](std::string_view text) {
    if (info_level) log_line("INFO", text);
  };
  live.debug = level_rank(cmd.loglevel) == 0;
  if (live.debug) debug_hooks(cmd, *opts, host, hooks);
  if (cmd.metrics != nullptr) {
    cmd.metrics->begin_run();
    follow_run_state(hooks, *cmd.metrics);
  }
  live.runner = runner.get();
  live.memory = memory.get();
  // The leak detector judges memory from the end of the ramp-up: when the first target count
  // (the first stage's, with a shape) is first reached.
  live.ramp_target = static_cast<std::uint64_t>(opts->shape && !opts->shape->stages.empty()
                                                    ? opts->shape->stages.front().users
                                                    : opts->users);
  if (!cmd.html_path.empty()) live.timeline = std::make_unique<report::History>();
  if (cmd.json_stdout) live.locust_json = std::make_unique<LocustJson>();
  // With --json, stdout carries the JSON alone: the tables go to stderr.
  std::FILE* const out = cmd.json_stdout ? stderr : stdout;
  hooks.every_second = [&](const stats::Snapshot& snap) { live.second(snap); };
  // The console table is for headless runs (the web UI shows the same), as in Locust.
  if (!cmd.only_summary && cmd.observer == nullptr) {
    hooks.every_two_seconds = [out](const stats::Snapshot& snap) {
      fmt::print(out, "{}\n", report::stats_table(snap));
      std::fflush(out);
    };
  }
  if (memory) memory->start();
  if (cmd.observer) cmd.observer->started(*runner, page, memory.get());
  if (g_signal != 0) {  // the web UI sets it only when it quits
    log_line("INFO", fmt::format("Received {} before the load started, stopping (reports will be "
                                 "written)",
                                 g_signal == SIGINT ? "SIGINT" : "SIGTERM"));
    runner->stop(engine::StopReason::kSignal);
  }
  if (cmd.observer == nullptr) {
    // The runner's own signal set takes them from here; counted for the second one's deadline.
    hooks.signalled = [](int signo) { note_signal(signo); };
  }
  engine::RunResult result = runner->run(hooks);
  if (cmd.observer == nullptr) {
    // Destroying the runner removes its signal set, which restores the default actions: ours
    // come back right after, before the verdict and the reports.
    runner.reset();
    live.runner = nullptr;
    if (result.reason == engine::StopReason::kSignal && g_signal == 0) g_signal = SIGINT;
    catch_signals();
  }
  if (memory) memory->stop();
  if (cmd.metrics != nullptr) {
    live.post_metrics(*cmd.metrics, result.final, nullptr);
    cmd.metrics->set_state("stopped");
  }
  if (result.reason == engine::StopReason::kFailed) log_line("ERROR", result.error);
  const stats::Snapshot& snap = result.final;
  if (live.timeline) live.timeline->append(snap, /*force=*/true);
  fmt::print(out, "{}", report::final_summary(snap));
  std::fflush(out);
  bool written = write_stats_files(cmd, snap, live.history.get(), memory.get());

  // Phase 4: the verdict.
  const monitor::SelfCheckSummary gen = live.generator.summary();
  const std::string interrupted = interruption(result, live, planned_length(*opts));
  std::optional<BaselineOutcome> vs_baseline;
  if (baseline) {
    vs_baseline = judge_baseline(*baseline, snap);
    fmt::print(out, "\n{}", vs_baseline->table);
    page.baseline_section = vs_baseline->html;
  }
  const bool judged = !budgets.empty() || memory || (vs_baseline && vs_baseline->criterion);
  std::optional<budget::Verdict> verdict;
  if (!judged) {
    for (const std::string& n : result.notes) log_line("WARNING", n);
  }
  if (judged || !interrupted.empty()) {
    live.windows.finish(snap);
    verdict = judged ? budget::judge(snap, budgets, &live.windows) : budget::Verdict{};
    if (!interrupted.empty())
      verdict->criteria.push_back(budget::interrupted_criterion(interrupted));
    if (vs_baseline && vs_baseline->criterion) verdict->criteria.push_back(*vs_baseline->criterion);
    if (memory) {
      monitor::LeakVerdict leak =
          monitor::judge_memory(memory->samples(), live.ramp_up_end.value_or(0), mon->leak);
      verdict->criteria.push_back(memory_criterion(leak, memory->source().description()));
    }
    if (!mon->health_url.empty() && mon->recovery_wait.count() > 0 &&
        result.reason != engine::StopReason::kSignal && !hurried()) {
      monitor::RecoveryOptions ro;
      ro.max_wait = mon->recovery_wait;
      ro.health_budget_ms = health_budget_ms(budgets);
      ro.baseline_ms = baseline_ms;
      if (info_level) {
        log_line("INFO", fmt::format("Recovery: probing GET {} (up to {})", mon->health_url,
                                     core::format_duration(mon->recovery_wait)));
      }
      // Ctrl-C (caught into g_signal since the run ended) ends the probe, judged
      // "interrupted", not the process: reports follow.
      ro.stop = [] { return g_signal != 0; };
      verdict->criteria.push_back(recovery_criterion(monitor::probe_recovery(mon->health_url, ro)));
    }
    if (gen.saturated_samples > 0) verdict->notes.push_back(gen.message);
    for (const std::string& n : result.notes) verdict->notes.push_back(n);
    fmt::print(out, "\n{}", report::verdict_table(*verdict));
    if (!cmd.gate_on_verdict && !verdict->pass() && !verdict->interrupted()) {
      fmt::print(out,
                 "(arrload demo shows the verdict without failing on it; `arrload run -f "
                 "scenarios/autoarr ...` exits with its status)\n");
    }
    std::fflush(out);
  }

  // Phase 5: the judged reports and the exit status.
  page.info.stop_reason = live.abort_reason.empty() ? reason_name(result.reason) : "abort_on_fail";
  page.info.verdict = verdict ? &*verdict : nullptr;
  page.info.generator = gen.message;
  page.history = live.timeline.get();
  written &= write_judged_files(cmd, snap, page, memory.get());
  if (live.locust_json) {
    live.locust_json->observe(snap);
    fmt::print("{}", live.locust_json->finish(snap.taken_unix));
    std::fflush(stdout);
  }
  int status = kExitOk;
  if (!written) {
    status = kExitRuntimeError;
  } else if (verdict && verdict->interrupted()) {
    status = verdict->exit_code();
  } else if (judged) {
    // The judge decides: a few failed requests under the error-rate budget still pass.
    if (cmd.gate_on_verdict) status = verdict->exit_code();
  } else if (snap.aggregated.total.num_failures > 0 || !snap.exceptions.empty()) {
    status = cmd.exit_code_on_error;
  }
  if (result.reason == engine::StopReason::kFailed && status == kExitOk) {
    status = kExitRuntimeError;
  }
  if (cmd.observer) {
    cmd.observer->finished(snap, page.info, status);
    if (info_level) log_line("INFO", fmt::format("Test ended (exit status {})", status));
  } else if (info_level) {
    log_line("INFO", fmt::format("Shutting down (exit code {})", status));
  }
  return status;
}

}  // namespace arrload::cli
