#include "cli/run_command.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "budget/budget.h"
#include "budget/verdict.h"
#include "cli/run_monitoring.h"
#include "cli/web_command.h"
#include "core/duration.h"
#include "core/log_ring.h"
#include "engine/runner.h"
#include "engine/shape.h"
#include "monitor/preflight.h"
#include "report/console.h"
#include "report/csv.h"
#include "report/history.h"
#include "report/html.h"
#include "report/json.h"
#include "report/verdict.h"
#include "scenario/loader.h"

namespace arrload::cli {

namespace {

int level_rank(const std::string& level) {
  static const char* kLevels[] = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"};
  for (int i = 0; i < 5; ++i) {
    if (level == kLevels[i]) return i;
  }
  return 1;
}

void log_line(const std::string& level, std::string_view text) {
  std::time_t t = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
  std::string line = fmt::format("[{}] {}: {}", stamp, level, text);
  fmt::print(stderr, "{}\n", line);
  core::LogRing::process().add(std::move(line));
}

// Splits "-T a,b -T c" into {a, b, c}, as Locust accepts both forms.
std::vector<std::string> split_tags(const std::vector<std::string>& raw) {
  std::vector<std::string> out;
  for (const auto& item : raw) {
    std::size_t start = 0;
    while (start <= item.size()) {
      std::size_t comma = item.find(',', start);
      std::string tag =
          item.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!tag.empty()) out.push_back(tag);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

using Files = std::vector<std::pair<std::string, std::string>>;

std::optional<scenario::Suite> load_file(const std::string& path, const Files& files) {
  try {
    return files.empty() ? scenario::load_suite(path)
                         : scenario::load_suite_from_strings(files, path);
  } catch (const scenario::ScenarioError& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    return std::nullopt;
  }
}

bool filter_checked(scenario::Suite& suite, const std::vector<std::string>& tags,
                    const std::vector<std::string>& exclude) {
  scenario::filter_tags(suite, split_tags(tags), split_tags(exclude));
  if (suite.classes.empty()) {
    fmt::print(stderr, "arrload: {}: no task is left after filtering by tags (-T/-E)\n",
               suite.file);
    return false;
  }
  return true;
}

std::optional<scenario::Suite> load_checked(const std::string& path, const Files& files,
                                            const std::vector<std::string>& tags,
                                            const std::vector<std::string>& exclude) {
  auto suite = load_file(path, files);
  if (!suite || !filter_checked(*suite, tags, exclude)) return std::nullopt;
  return suite;
}

const char* reason_name(engine::StopReason r) {
  switch (r) {
    case engine::StopReason::kRunTime:
      return "run_time";
    case engine::StopReason::kSignal:
      return "signal";
    case engine::StopReason::kRequested:
      return "requested";
  }
  return "unknown";
}

// Parses the duration given to OPTION; prints what to write instead and returns nullopt when
// TEXT is not one (or is zero where zero makes no sense).
std::optional<std::chrono::microseconds> duration_option(std::string_view option,
                                                         const std::string& text, bool allow_zero) {
  auto d = core::parse_duration(text);
  if (!d || (!allow_zero && d->count() == 0)) {
    fmt::print(stderr, "arrload: {}: '{}' is not a duration (use e.g. 10s, 90s, 10m, 1h30m)\n",
               option, text);
    return std::nullopt;
  }
  return d;
}

void make_parent_dirs(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
}

}  // namespace

int execute_validate(const std::string& scenario, const std::vector<std::string>& tags,
                     const std::vector<std::string>& exclude_tags) {
  auto suite = load_checked(scenario, {}, tags, exclude_tags);
  if (!suite) return kExitUsage;
  fmt::print("{}: OK — host {}, {} user class(es)\n", scenario,
             suite->host.empty() ? "(none: give --host)" : suite->host, suite->classes.size());
  for (const auto& c : suite->classes) {
    fmt::print("  {:<28} weight {:<4} tasks {}\n", c.name,
               c.fixed_count ? fmt::format("fixed {}", *c.fixed_count) : std::to_string(c.weight),
               c.root.tasks.size());
  }
  return kExitOk;
}

namespace {

// The signal (SIGINT, SIGTERM) that interrupted a headless run, 0 if none: caught outside the
// runner's own signal handling too (loading, pre-flight), so such a run still starts and stops at
// once, writing its reports, and no further profile runs.
std::atomic<int> g_signal{0};

void on_early_signal(int signo) { g_signal = signo; }

// Catches SIGINT/SIGTERM into g_signal until the runner takes them (and again after it).
void catch_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_early_signal;
  ::sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

// Runs one load test of SUITE (already filtered) with CMD's options and writes its reports.
int run_one(const RunCommand& cmd, const scenario::Suite* suite,
            std::optional<scenario::Shape> shape, const budget::Budgets& budgets) {
  engine::RunOptions opts;
  opts.shape = std::move(shape);
  opts.host = cmd.host;
  opts.users = cmd.users;
  opts.spawn_rate = cmd.spawn_rate;
  if (!cmd.run_time.empty()) {
    opts.run_time = duration_option("--run-time", cmd.run_time, /*allow_zero=*/false);
    if (!opts.run_time) return kExitUsage;
  }
  auto stop_timeout = duration_option("--stop-timeout", cmd.stop_timeout, /*allow_zero=*/true);
  if (!stop_timeout) return kExitUsage;
  opts.stop_timeout = *stop_timeout;
  opts.threads = cmd.threads;
  opts.reset_stats = cmd.reset_stats;
  opts.verify_tls = cmd.verify_tls;
  opts.seed = cmd.seed;

  MonitorSettings mon;
  const std::string host = !cmd.host.empty() ? cmd.host : suite->host;
  mon.health_url = resolve_health_url(!cmd.health.empty() ? cmd.health : suite->health, host);
  mon.preflight = !cmd.no_preflight;
  for (auto [name, text, out] :
       {std::tuple{"--preflight-timeout", &cmd.preflight_timeout, &mon.preflight_timeout},
        std::tuple{"--recovery-wait", &cmd.recovery_wait, &mon.recovery_wait}}) {
    auto d = duration_option(name, *text, /*allow_zero=*/true);
    if (!d) return kExitUsage;
    *out = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
  }
  mon.target_pid = cmd.target_pid;
  mon.target_metrics = cmd.target_metrics;
  mon.leak = {cmd.leak_rate, cmd.leak_fraction / 100.0};
  std::unique_ptr<monitor::MemorySampler> memory;
  try {
    if (auto source = memory_source(mon)) {
      memory = std::make_unique<monitor::MemorySampler>(std::move(source));
    }
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    return kExitUsage;
  }
  // Headless: a Ctrl-C from here on still ends in reports (the web UI blocks the signals).
  if (cmd.observer == nullptr) catch_signals();
  double baseline_ms = 0;
  if (!mon.health_url.empty() && mon.preflight && g_signal == 0) {
    monitor::PreflightResult pre =
        monitor::check_health(mon.health_url, mon.preflight_timeout, [] { return g_signal != 0; });
    if (!pre.ok && g_signal == 0) {
      fmt::print(stderr,
                 "arrload: pre-flight failed: GET {}: {}; no load was sent (--no-preflight skips "
                 "the check)\n",
                 mon.health_url, pre.message);
      return budget::kExitPreflight;
    }
    baseline_ms = pre.latency_ms;
    if (pre.ok && level_rank(cmd.loglevel) <= 1) {
      log_line("INFO", fmt::format("Pre-flight: GET {}: {}", mon.health_url, pre.message));
    }
  }

  std::unique_ptr<engine::Runner> runner;
  std::unique_ptr<report::HistoryCsv> history;
  try {
    runner = std::make_unique<engine::Runner>(*suite, opts);
    if (!cmd.csv_prefix.empty()) {
      make_parent_dirs(cmd.csv_prefix);
      history = std::make_unique<report::HistoryCsv>(cmd.csv_prefix, cmd.csv_full_history);
    }
    if (!cmd.json_path.empty() && cmd.json_path != "-") make_parent_dirs(cmd.json_path);
    if (!cmd.html_path.empty() && cmd.html_path != "-") make_parent_dirs(cmd.html_path);
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    return kExitRuntimeError;
  }

  const int min_level = level_rank(cmd.loglevel);
  engine::RunHooks hooks;
  hooks.info = [&](std::string_view text) {
    if (min_level <= 1) log_line("INFO", text);
  };
  std::optional<std::chrono::microseconds> grace;
  if (cmd.abort_on_fail) {
    grace = duration_option("--abort-grace", cmd.abort_grace, /*allow_zero=*/true);
    if (!grace) return kExitUsage;
  }
  std::string abort_reason;  // the breached check, once --abort-on-fail stopped the run
  GeneratorWatch generator;
  // The leak detector judges memory from the end of the ramp-up: when the first target count
  // (the first stage's, with a shape) is first reached.
  const std::uint64_t ramp_target = static_cast<std::uint64_t>(
      opts.shape && !opts.shape->stages.empty() ? opts.shape->stages.front().users : opts.users);
  std::optional<double> ramp_up_end;
  budget::WindowJudge windows(budgets);
  // The charts of the HTML report: a few numbers a second, bounded however long the run.
  std::unique_ptr<report::History> timeline;
  if (!cmd.html_path.empty()) timeline = std::make_unique<report::History>();
  hooks.every_second = [&](const stats::Snapshot& snap) {
    const double cpu = generator.tick().cpu_percent;
    windows.add_second(snap);
    if (timeline) timeline->append(snap, /*force=*/false, cpu);
    if (!ramp_up_end && snap.user_count >= ramp_target) ramp_up_end = snap.elapsed_s;
    const bool abort_check = grace && abort_reason.empty() &&
                             snap.elapsed_s * 1e6 >= static_cast<double>(grace->count());
    // The budgets so far, over everything recorded until now (windowed ones over the closed
    // windows): judged once for --abort-on-fail and the web UI.
    std::optional<budget::Verdict> so_far;
    if (!budgets.empty() && (abort_check || cmd.observer)) {
      so_far = budget::judge(snap, budgets, &windows);
    }
    if (cmd.observer) cmd.observer->second(snap, so_far ? &*so_far : nullptr, cpu);
    if (abort_check && so_far) {
      // Like k6's abortOnFail.
      for (const budget::Check& c : so_far->checks) {
        if (c.has_data && !c.pass) {
          abort_reason =
              fmt::format("{}: {} is {} (budget {})", c.subject, c.threshold.metric_name(),
                          c.describe_actual(), c.threshold.describe());
          log_line("WARNING",
                   "Budget breached, stopping the run (--abort-on-fail): " + abort_reason);
          runner->request_stop();
          break;
        }
      }
    }
    if (history) history->append(snap);
  };
  // The console table is for headless runs (the web UI shows the same), as in Locust.
  if (!cmd.only_summary && cmd.observer == nullptr) {
    hooks.every_two_seconds = [](const stats::Snapshot& snap) {
      fmt::print("{}\n", report::stats_table(snap));
      std::fflush(stdout);
    };
  }
  // The run's parameters as the HTML report shows them (here and in the web UI).
  report::HtmlReport page;
  page.info.host = host;
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
  if (memory) page.memory_source = memory->source().description();
  if (memory) memory->start();
  if (cmd.observer) cmd.observer->started(*runner, page, memory.get());
  if (g_signal != 0 && cmd.observer == nullptr) {
    log_line("INFO", fmt::format("Received {} before the load started, stopping (reports will be "
                                 "written)",
                                 g_signal == SIGINT ? "SIGINT" : "SIGTERM"));
    runner->request_stop(engine::StopReason::kSignal);
  }
  engine::RunResult result = runner->run(hooks);
  if (cmd.observer == nullptr) {
    // The runner's signal set is gone (it restored the default actions).
    if (result.reason == engine::StopReason::kSignal && g_signal == 0) g_signal = SIGINT;
    catch_signals();
  }
  if (memory) memory->stop();
  const stats::Snapshot& snap = result.final;
  if (timeline) timeline->append(snap, /*force=*/true);

  fmt::print("{}", report::final_summary(snap));
  std::fflush(stdout);
  int status = kExitOk;
  try {
    // The statistics first, so an interrupted recovery probe cannot cost them.
    if (history) history->append(snap);
    if (!cmd.csv_prefix.empty()) report::write_final_csv(cmd.csv_prefix, snap);
    if (memory && !cmd.csv_prefix.empty()) {
      std::string error;
      if (!memory->write_csv(monitor::target_memory_csv_path(cmd.csv_prefix), &error)) {
        throw std::runtime_error(error);
      }
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    status = kExitRuntimeError;
  }

  const monitor::SelfCheckSummary gen = generator.summary();
  std::optional<budget::Verdict> verdict;
  if (!budgets.empty() || memory) {
    windows.finish(snap);
    verdict = budget::judge(snap, budgets, &windows);
    if (memory) {
      monitor::LeakVerdict leak =
          monitor::judge_memory(memory->samples(), ramp_up_end.value_or(0), mon.leak);
      verdict->criteria.push_back(memory_criterion(leak, memory->source().description()));
    }
    if (!mon.health_url.empty() && mon.recovery_wait.count() > 0 &&
        result.reason != engine::StopReason::kSignal) {
      monitor::RecoveryOptions ro;
      ro.max_wait = mon.recovery_wait;
      ro.health_budget_ms = health_budget_ms(budgets);
      ro.baseline_ms = baseline_ms;
      if (level_rank(cmd.loglevel) <= 1) {
        log_line("INFO", fmt::format("Recovery: probing GET {} (up to {})", mon.health_url,
                                     core::format_duration(mon.recovery_wait)));
      }
      // Ctrl-C (caught into g_signal since the run ended) ends the probe, judged
      // "interrupted", not the process: reports follow.
      ro.stop = [] { return g_signal != 0; };
      monitor::RecoveryResult recovery = monitor::probe_recovery(mon.health_url, ro);
      verdict->criteria.push_back(recovery_criterion(recovery));
    }
    if (gen.saturated_samples > 0) verdict->notes.push_back(gen.message);
    fmt::print("\n{}", report::verdict_table(*verdict));
    if (!cmd.gate_on_verdict && !verdict->pass()) {
      fmt::print(
          "(arrload demo shows the verdict without failing on it; `arrload run -f "
          "scenarios/autoarr ...` exits with its status)\n");
    }
    std::fflush(stdout);
  }
  report::RunInfo info = page.info;
  info.stop_reason = abort_reason.empty() ? reason_name(result.reason) : "abort_on_fail";
  info.verdict = verdict ? &*verdict : nullptr;
  info.generator = gen.message;
  try {
    if (!cmd.json_path.empty()) report::write_json(cmd.json_path, snap, info);
  } catch (const std::exception& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    status = kExitRuntimeError;
  }
  try {
    // Its own try: a JSON file that cannot be written must not cost the page, nor the reverse.
    if (!cmd.html_path.empty()) {
      report::HtmlReport html = page;
      html.snap = &snap;
      html.info = info;
      html.history = timeline.get();
      std::vector<monitor::MemorySample> samples;
      if (memory) {
        samples = memory->samples();
        html.memory = &samples;
      }
      report::write_html(cmd.html_path, html);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    status = kExitRuntimeError;
  }
  try {
    if (!cmd.junit_path.empty()) {
      make_parent_dirs(cmd.junit_path);
      report::write_junit(cmd.junit_path, verdict.value_or(budget::Verdict{}), snap.elapsed_s);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    status = kExitRuntimeError;
  }
  if (status == kExitOk && verdict) {
    // The judge decides: a few failed requests under the error-rate budget still pass.
    if (cmd.gate_on_verdict) status = verdict->exit_code();
  } else if (status == kExitOk &&
             (snap.aggregated.total.num_failures > 0 || !snap.exceptions.empty())) {
    status = cmd.exit_code_on_error;
  }
  if (cmd.observer) {
    cmd.observer->finished(snap, info, status);
    if (min_level <= 1) log_line("INFO", fmt::format("Test ended (exit status {})", status));
  } else if (min_level <= 1) {
    log_line("INFO", fmt::format("Shutting down (exit code {})", status));
  }
  return status;
}

std::string profile_names(const scenario::Suite& suite) {
  std::string out;
  for (const scenario::Profile& p : suite.profiles) out += (out.empty() ? "" : ", ") + p.name;
  return out.empty() ? "the scenario declares no profiles:" : "profiles: " + out;
}

std::string format_seconds(std::chrono::microseconds d) { return core::format_duration(d); }

// PATH with "_NAME" added before the extension ("r/out.json" -> "r/out_baseline.json"); a PREFIX
// ending in '/' gets NAME alone ("results/" -> "results/baseline").
std::string with_profile(const std::string& path, const std::string& name, bool is_prefix) {
  if (path.empty() || path == "-") return path;
  if (path.back() == '/') return path + name;
  std::filesystem::path p(path);
  if (is_prefix || p.extension().empty()) return path + "_" + name;
  return (p.parent_path() / (p.stem().string() + "_" + name + p.extension().string())).string();
}

// Runs profile P of SUITE: its values fill what the command line left unset.
int run_profile(RunCommand cmd, scenario::Suite suite, const scenario::Profile& p, bool in_sequence,
                const budget::Budgets& budgets) {
  const double f = cmd.time_scale;
  std::optional<scenario::Shape> shape;
  if (!p.shape.empty()) shape = engine::scale_shape(*suite.find_shape(p.shape), f);
  if (p.users && !cmd.users_given) cmd.users = *p.users;
  if (p.spawn_rate && !cmd.spawn_rate_given) cmd.spawn_rate = std::min(1e6, *p.spawn_rate / f);
  if (p.run_time && !cmd.run_time_given) {
    auto scaled = std::chrono::microseconds(
        std::max<std::int64_t>(1000, std::llround(static_cast<double>(p.run_time->count()) * f)));
    cmd.run_time = format_seconds(scaled);
  }
  if (cmd.tags.empty()) cmd.tags = p.tags;
  if (cmd.exclude_tags.empty()) cmd.exclude_tags = p.exclude_tags;
  for (scenario::UserClass& c : suite.classes) {
    if (auto it = p.weights.find(c.name); it != p.weights.end()) c.weight = it->second;
  }
  if (!filter_checked(suite, cmd.tags, cmd.exclude_tags)) return kExitUsage;
  if (in_sequence) {
    cmd.csv_prefix = with_profile(cmd.csv_prefix, p.name, true);
    cmd.json_path = with_profile(cmd.json_path, p.name, false);
    cmd.html_path = with_profile(cmd.html_path, p.name, false);
  }
  cmd.profile_name = p.name;
  if (level_rank(cmd.loglevel) <= 1) {
    std::string what = shape ? fmt::format("shape '{}' ({} stages, {})", p.shape,
                                           shape->stages.size(), format_seconds(shape->total()))
                             : fmt::format("{} users at {:g}/s", cmd.users, cmd.spawn_rate);
    log_line("INFO", fmt::format("Profile '{}': {}{}{}", p.name, what,
                                 cmd.run_time.empty() ? "" : " for at most " + cmd.run_time,
                                 f != 1 ? fmt::format(" (time scale {:g})", f) : ""));
  }
  if (in_sequence) cmd.junit_path = with_profile(cmd.junit_path, p.name, false);
  return run_one(cmd, &suite, std::move(shape), budgets);
}

std::set<std::string> suite_categories(const scenario::Suite& suite) {
  std::set<std::string> out;
  std::function<void(const scenario::TaskGroup&)> walk = [&](const scenario::TaskGroup& g) {
    for (const auto* list : {&g.on_start, &g.on_stop}) {
      for (const scenario::Request& r : *list) out.insert(r.category);
    }
    for (const scenario::Task& t : g.tasks) {
      for (const scenario::Request& r : t.requests) out.insert(r.category);
      if (t.group) walk(*t.group);
    }
  };
  for (const scenario::UserClass& c : suite.classes) walk(c.root);
  out.erase("");
  return out;
}

// The budgets the run is judged against: --budgets FILE, else the suite's budgets.yaml, plus
// --budget rules. Prints the problem and returns nullopt when they cannot be used.
std::optional<budget::Budgets> load_budgets(const RunCommand& cmd, const scenario::Suite& suite) {
  budget::Budgets budgets;
  if (cmd.no_budgets) return budgets;
  try {
    if (!cmd.budgets_file.empty()) {
      budgets = budget::load_budgets_file(cmd.budgets_file);
    } else if (!cmd.scenario_files.empty()) {
      for (const auto& [name, text] : cmd.scenario_files) {
        if (scenario::is_budgets_file(name)) budgets = budget::load_budgets_text(text, name);
      }
    } else if (std::filesystem::is_directory(cmd.scenario)) {
      for (const char* name : {"budgets.yaml", "budgets.yml"}) {
        std::filesystem::path file = std::filesystem::path(cmd.scenario) / name;
        if (std::filesystem::exists(file)) budgets = budget::load_budgets_file(file.string());
      }
    }
    for (const std::string& text : cmd.budget_rules) {
      budgets.add(budget::parse_rule(text, "--budget"));
    }
  } catch (const budget::BudgetError& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    return std::nullopt;
  }
  // A misspelt category would judge nothing; say so before any load is sent.
  const std::set<std::string> known = suite_categories(suite);
  for (const budget::Rule& r : budgets.rules) {
    if (r.scope.kind == budget::Scope::Kind::kCategory && !known.count(r.scope.category)) {
      std::string list;
      for (const std::string& c : known) list += (list.empty() ? "" : ", ") + c;
      fmt::print(stderr, "arrload: {}: budget for unknown category '{}' (the scenario's: {})\n",
                 r.origin, r.scope.category, list.empty() ? "none declared" : list);
      return std::nullopt;
    }
  }
  return budgets;
}

}  // namespace

int run_suite_once(const RunCommand& cmd, const scenario::Suite& suite,
                   const scenario::Profile* profile, const budget::Budgets& budgets) {
  if (profile != nullptr) return run_profile(cmd, suite, *profile, false, budgets);
  return run_one(cmd, &suite, std::nullopt, budgets);
}

int execute_run(const RunCommand& cmd) {
  auto suite = load_file(cmd.scenario, cmd.scenario_files);
  if (!suite) return kExitUsage;
  auto budgets = load_budgets(cmd, *suite);
  if (!budgets) return kExitUsage;
  if (!cmd.headless) {
    if (!filter_checked(*suite, cmd.tags, cmd.exclude_tags)) return kExitUsage;
    return execute_web(cmd, *suite, *budgets);
  }
  catch_signals();
  if (cmd.profiles.empty()) {
    if (cmd.time_scale != 1) {
      fmt::print(stderr,
                 "arrload: --time-scale compresses a profile's timeline; give --profile NAME "
                 "too (or shorten -t)\n");
      return kExitUsage;
    }
    if (!filter_checked(*suite, cmd.tags, cmd.exclude_tags)) return kExitUsage;
    return run_one(cmd, &*suite, std::nullopt, *budgets);
  }
  std::vector<std::string> names = split_tags(cmd.profiles);  // "a,b" and "--profile a --profile b"
  std::vector<const scenario::Profile*> chosen;
  for (const std::string& name : names) {
    const scenario::Profile* p = suite->find_profile(name);
    if (p == nullptr) {
      fmt::print(stderr, "arrload: --profile: no profile '{}' in {} ({})\n", name, cmd.scenario,
                 profile_names(*suite));
      return kExitUsage;
    }
    chosen.push_back(p);
  }
  int worst = kExitOk;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    int status = run_profile(cmd, *suite, *chosen[i], chosen.size() > 1, *budgets);
    worst = std::max(worst, status);
    if (g_signal != 0 && i + 1 < chosen.size()) {
      fmt::print(stderr, "arrload: interrupted; not running the remaining profiles\n");
      break;
    }
    if (status != kExitOk && !cmd.keep_going && i + 1 < chosen.size()) {
      fmt::print(stderr,
                 "arrload: profile '{}' failed (exit {}); not running the rest (--keep-going "
                 "runs them all)\n",
                 chosen[i]->name, status);
      break;
    }
  }
  return worst;
}

int execute_profiles(const std::string& scenario) {
  auto suite = load_file(scenario, {});
  if (!suite) return kExitUsage;
  if (suite->profiles.empty()) {
    fmt::print("{}: no profiles (add profiles: to the scenario; docs/scenario-format.md)\n",
               scenario);
    return kExitOk;
  }
  fmt::print("{:<12} {:>6} {:>6} {:>9} {:<12} {}\n", "PROFILE", "USERS", "RATE", "DURATION",
             "SHAPE", "DESCRIPTION");
  for (const scenario::Profile& p : suite->profiles) {
    std::string users = p.users ? std::to_string(*p.users) : "-";
    std::string rate = p.spawn_rate ? fmt::format("{:g}/s", *p.spawn_rate) : "-";
    std::optional<std::chrono::microseconds> duration = p.run_time;
    if (!p.shape.empty()) {
      const scenario::Shape* shape = suite->find_shape(p.shape);
      int peak = 0;
      for (const auto& st : shape->stages) peak = std::max(peak, st.users);
      users = fmt::format("<={}", peak);
      rate = "shape";
      if (!duration || shape->total() < *duration) duration = shape->total();
    }
    fmt::print("{:<12} {:>6} {:>6} {:>9} {:<12} {}\n", p.name, users, rate,
               duration ? format_seconds(*duration) : "-", p.shape.empty() ? "-" : p.shape,
               p.description);
  }
  return kExitOk;
}

}  // namespace arrload::cli
