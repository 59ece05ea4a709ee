#include "cli/run_command.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/config_file.h"
#include "core/duration.h"
#include "engine/runner.h"
#include "report/console.h"
#include "report/csv.h"
#include "report/json.h"
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
  fmt::print(stderr, "[{}] {}: {}\n", stamp, level, text);
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

std::optional<scenario::Suite> load_checked(const std::string& path, const std::string& text,
                                            const std::vector<std::string>& tags,
                                            const std::vector<std::string>& exclude) {
  try {
    scenario::Suite suite =
        text.empty() ? scenario::load_suite(path) : scenario::load_suite_from_string(text, path);
    scenario::filter_tags(suite, split_tags(tags), split_tags(exclude));
    if (suite.classes.empty()) {
      fmt::print(stderr, "arrload: {}: no task is left after filtering by tags (-T/-E)\n", path);
      return std::nullopt;
    }
    return suite;
  } catch (const scenario::ScenarioError& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    return std::nullopt;
  }
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

void add_run_options(CLI::App& app, RunCommand& cmd, bool scenario_required) {
  app.add_option("-f,--scenario,--locustfile", cmd.scenario,
                 "Scenario file (YAML) or a directory of them")
      ->required(scenario_required);
  app.add_option("-H,--host", cmd.host,
                 "Base URL to test, e.g. http://localhost:8088 "
                 "(default: the scenario's host)");
  app.add_option("-u,--users", cmd.users, "Peak number of concurrent users")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("-r,--spawn-rate", cmd.spawn_rate,
                 "Users started per second (fractions allowed: 0.5 = one every 2 s)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("-t,--run-time", cmd.run_time,
                 "Stop after this long, e.g. 90s, 10m, 1h30m (default: until Ctrl-C)");
  app.add_option("--stop-timeout", cmd.stop_timeout,
                 "On stop, let users finish their current task for this long (e.g. 10s)")
      ->capture_default_str();
  app.add_flag("--headless", cmd.headless,
               "Run without the web UI (the only mode for now; accepted for Locust "
               "compatibility)");
  app.add_option("--csv", cmd.csv_prefix,
                 "Write PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv and "
                 "PREFIX_exceptions.csv (Locust's format)");
  app.add_flag("--csv-full-history", cmd.csv_full_history,
               "Add every endpoint to PREFIX_stats_history.csv each second, not only the "
               "Aggregated row");
  app.add_option("--json", cmd.json_path, "Write the final stats as JSON to FILE (- = stdout)");
  app.add_option("-T,--tags", cmd.tags, "Only run tasks with one of these tags (a,b or -T a -T b)");
  app.add_option("-E,--exclude-tags", cmd.exclude_tags, "Do not run tasks with any of these tags");
  app.add_option("-L,--loglevel", cmd.loglevel, "DEBUG, INFO, WARNING, ERROR or CRITICAL")
      ->capture_default_str()
      ->transform(
          CLI::IsMember({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}, CLI::ignore_case));
  app.add_option("--exit-code-on-error", cmd.exit_code_on_error,
                 "Exit status when any request failed")
      ->capture_default_str();
  app.add_flag("--only-summary", cmd.only_summary, "Print only the final summary, no live table");
  app.add_flag("--reset-stats", cmd.reset_stats,
               "Reset the statistics once every user has spawned");
  app.add_option("--threads", cmd.threads, "Worker threads (default: one per core)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--seed", cmd.seed, "Random seed for task choice and templates (0 = random)");
  app.add_flag("--verify-tls", cmd.verify_tls,
               "Check HTTPS server certificates (off by default, like Locust)");
  // Every option also reads ARRLOAD_<LONG_NAME> from the environment, as Locust reads LOCUST_*.
  for (CLI::Option* o : app.get_options()) {
    if (!o->get_lnames().empty() && o->get_lnames().front() != "help") {
      o->envname(env_name(o->get_lnames().front()));
    }
  }
}

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

int execute_run(const RunCommand& cmd) {
  auto suite = load_checked(cmd.scenario, cmd.scenario_text, cmd.tags, cmd.exclude_tags);
  if (!suite) return kExitUsage;

  engine::RunOptions opts;
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

  std::unique_ptr<engine::Runner> runner;
  std::unique_ptr<report::HistoryCsv> history;
  try {
    runner = std::make_unique<engine::Runner>(*suite, opts);
    if (!cmd.csv_prefix.empty()) {
      make_parent_dirs(cmd.csv_prefix);
      history = std::make_unique<report::HistoryCsv>(cmd.csv_prefix, cmd.csv_full_history);
    }
    if (!cmd.json_path.empty() && cmd.json_path != "-") make_parent_dirs(cmd.json_path);
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
  hooks.every_second = [&](const stats::Snapshot& snap) {
    if (history) history->append(snap);
  };
  if (!cmd.only_summary) {
    hooks.every_two_seconds = [](const stats::Snapshot& snap) {
      fmt::print("{}\n", report::stats_table(snap));
      std::fflush(stdout);
    };
  }
  engine::RunResult result = runner->run(hooks);
  const stats::Snapshot& snap = result.final;

  fmt::print("{}", report::final_summary(snap));
  std::fflush(stdout);
  int status = kExitOk;
  try {
    if (history) history->append(snap);
    if (!cmd.csv_prefix.empty()) report::write_final_csv(cmd.csv_prefix, snap);
    if (!cmd.json_path.empty()) {
      std::string host = !cmd.host.empty() ? cmd.host : suite->host;
      report::write_json(cmd.json_path, snap, {host, cmd.scenario, reason_name(result.reason)});
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    status = kExitRuntimeError;
  }
  if (status == kExitOk && (snap.aggregated.total.num_failures > 0 || !snap.exceptions.empty())) {
    status = cmd.exit_code_on_error;
  }
  if (min_level <= 1) log_line("INFO", fmt::format("Shutting down (exit code {})", status));
  return status;
}

}  // namespace arrload::cli
