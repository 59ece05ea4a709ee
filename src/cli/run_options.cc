// `arrload run`'s options (CLI11), bound to a RunCommand, with ARRLOAD_* environment variables.
#include <exception>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/config_file.h"
#include "cli/option_checks.h"
#include "cli/run_command.h"
#include "core/size.h"

namespace arrload::cli {

void add_run_options(CLI::App& app, RunCommand& cmd, bool scenario_required) {
  app.add_option("-f,--scenario,--locustfile", cmd.scenario,
                 "Scenario file (YAML) or a directory of them")
      ->required(scenario_required);
  app.add_option("-H,--host", cmd.host,
                 "Base URL to test, e.g. http://localhost:8088 "
                 "(default: the scenario's host)");
  app.add_option("-u,--users", cmd.users, "Peak number of concurrent users")
      ->capture_default_str()
      ->check(in_range(0, kMaxUsers))
      ->each([&cmd](const std::string&) { cmd.users_given = true; });
  app.add_option("-r,--spawn-rate", cmd.spawn_rate,
                 "Users started per second (fractions allowed: 0.5 = one every 2 s)")
      ->capture_default_str()
      ->check(positive())
      ->each([&cmd](const std::string&) { cmd.spawn_rate_given = true; });
  app.add_option("--arrival-rate", cmd.arrival_rate,
                 "Scale the arrival-rate (open-model) classes' rates by one factor so that their "
                 "peak rates add up to this many iterations per second (default: as the scenario "
                 "declares them)")
      ->check(positive());
  app.add_option("-t,--run-time", cmd.run_time,
                 "Stop after this long, e.g. 90s, 10m, 1h30m (default: until Ctrl-C)")
      ->each([&cmd](const std::string&) { cmd.run_time_given = true; });
  app.add_option("--profile", cmd.profiles,
                 "Run the scenario's named profile (users, rate, time or load shape); a,b,c runs "
                 "them one after another (list them: arrload profiles -f SCENARIO)");
  app.add_option("--time-scale", cmd.time_scale,
                 "Multiply a profile's timeline (0.05 runs a 60 min profile in 3 min; spawn rates "
                 "grow to match)")
      ->capture_default_str()
      ->check(in_range(0.0001, 100));
  app.add_flag("--keep-going", cmd.keep_going,
               "With several profiles, run them all even after one fails");
  app.add_option("--budgets", cmd.budgets_file,
                 "Performance budgets file (default: budgets.yaml in the scenario directory)");
  app.add_option("--budget", cmd.budget_rules,
                 "A budget: [CATEGORY|ENDPOINT:]METRIC<LIMIT [every WINDOW], e.g. "
                 "'read:p95<300ms', 'error_rate<0.5%', 'GET /api/v1/shows/:p99<800ms', "
                 "'rps>=100', 'p95<500ms every 30s', 'dropped<1%', 'late<5%', "
                 "'p95_service<300ms' (latency of scheduled requests is corrected for "
                 "coordinated omission unless _service; repeatable)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_flag("--no-budgets", cmd.no_budgets, "Do not judge the run against any budget");
  app.add_flag("--abort-on-fail", cmd.abort_on_fail,
               "Stop the run as soon as a budget is breached (after --abort-grace); every report "
               "is still written");
  app.add_option("--abort-grace", cmd.abort_grace,
                 "With --abort-on-fail: do not judge before the run is this old (e.g. 30s)")
      ->capture_default_str();
  app.add_option("--health", cmd.health,
                 "Health check of the target, a path (/health) or URL: pre-flight before the "
                 "load, recovery probe after it (default: the scenario's health:)");
  app.add_flag("--no-preflight", cmd.no_preflight, "Do not check the health URL before the load");
  app.add_option("--preflight-timeout", cmd.preflight_timeout,
                 "How long the pre-flight health check may take")
      ->capture_default_str();
  app.add_option("--recovery-wait", cmd.recovery_wait,
                 "After the load, probe the health URL once a second for up to this long until "
                 "it answers normally (0 = no probe)")
      ->capture_default_str();
  app.add_option("--target-pid", cmd.target_pid,
                 "Sample this local process's resident memory each second and judge it for a "
                 "leak (PREFIX_target_memory.csv)")
      ->check(in_range(1, 4'194'304));
  app.add_option("--target-metrics", cmd.target_metrics,
                 "The same from a Prometheus URL (process_resident_memory_bytes), e.g. "
                 "http://127.0.0.1:8088/metrics");
  app.add_option("--leak-rate", cmd.leak_rate,
                 "A leak is sustained growth above this many MiB per minute ...")
      ->capture_default_str()
      ->check(non_negative());
  app.add_option("--leak-percent", cmd.leak_fraction,
                 "... and above this percentage of the starting memory")
      ->capture_default_str()
      ->check(non_negative());
  app.add_option("--junit", cmd.junit_path,
                 "Write the verdict as JUnit XML to FILE (one test case per budget)");
  app.add_option("-s,--stop-timeout", cmd.stop_timeout,
                 "On stop, let users finish their current task for this long (e.g. 10s)")
      ->capture_default_str();
  auto* headless = app.add_flag("--headless", cmd.headless,
                                "Run at once without the web UI (without it, the web UI on "
                                "--web-port steers the test)");
  // The AutoArr suite's README runs `locust ... --web`: the web UI, which is the default.
  app.add_flag("--web", cmd.web, "Serve the web UI (the default without --headless)")
      ->excludes(headless);
  app.add_option("--web-host", cmd.web_host,
                 "Address the web UI listens on (beyond loopback only if you mean it; see "
                 "--web-login)")
      ->capture_default_str();
  app.add_option("-P,--web-port", cmd.web_port, "Port of the web UI")
      ->capture_default_str()
      ->check(in_range(0, 65535));
  app.add_option("--web-login", cmd.web_login,
                 "USER:PASSWORD: protect the web UI with HTTP basic auth")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            return text.find(':') == std::string::npos ? "write USER:PASSWORD" : "";
          },
          "USER:PASSWORD"));
  app.add_flag("--autostart", cmd.autostart,
               "With the web UI: start the test at once (-u, -r, -t, --profile) and keep the UI");
  app.add_option("--autoquit", cmd.autoquit,
                 "With the web UI: quit this many seconds after a test ends (as in Locust; "
                 "-1 = keep the UI)")
      ->capture_default_str()
      ->check(in_range(-1, 1'000'000));
  app.add_option("--prometheus-port", cmd.prometheus_port,
                 "Serve GET /metrics (Prometheus text format) on this port, for --headless, "
                 "--worker and --master runs (the web UI serves it on --web-port too); 0 = off "
                 "(docs/prometheus.md)")
      ->capture_default_str()
      ->check(in_range(0, 65535));
  app.add_option("--prometheus-host", cmd.prometheus_host,
                 "Address --prometheus-port listens on (no login: beyond loopback only if you "
                 "mean it)")
      ->capture_default_str();
  app.add_option("--prometheus-linger", cmd.prometheus_linger,
                 "With --prometheus-port (headless, --worker, --master): keep serving the final "
                 "numbers this long after the run (e.g. 30s, a scrape interval or two), then exit")
      ->capture_default_str();
  app.add_option("--csv", cmd.csv_prefix,
                 "Write PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv and "
                 "PREFIX_exceptions.csv (Locust's format)");
  app.add_flag("--csv-full-history", cmd.csv_full_history,
               "Add every endpoint to PREFIX_stats_history.csv each second, not only the "
               "Aggregated row");
  app.add_flag("--json", cmd.json_stdout,
               "Print the final stats as JSON on stdout, as Locust's --json does (its list of "
               "stats entries); tables and summaries then go to stderr");
  app.add_option("--json-file", cmd.json_path,
                 "Write arrload's JSON report to FILE: stats, percentiles, users per class, "
                 "verdict (docs/reports.md; - = stdout)");
  app.add_option("--html", cmd.html_path,
                 "Write a self-contained HTML report to FILE: parameters, verdict, stats and "
                 "percentile tables, failures, charts (opens offline; - = stdout)");
  app.add_option("-T,--tags", cmd.tags, "Only run tasks with one of these tags (a,b or -T a -T b)");
  app.add_option("-E,--exclude-tags", cmd.exclude_tags, "Do not run tasks with any of these tags");
  app.add_option("-L,--loglevel", cmd.loglevel, "DEBUG, INFO, WARNING, ERROR or CRITICAL")
      ->capture_default_str()
      ->transform(
          CLI::IsMember({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}, CLI::ignore_case));
  app.add_option("--logfile", cmd.logfile,
                 "Write the log lines to FILE (appended) instead of stderr");
  app.add_flag("-l,--list", cmd.list_classes, "Print the scenario's user classes and exit");
  app.add_flag("--show-task-ratio", cmd.show_task_ratio,
               "Print each user class's share of the users (at -u) and each task's share of its "
               "class's picks, then exit");
  app.add_flag("--show-task-ratio-json", cmd.show_task_ratio_json,
               "The same as JSON ({\"per_class\": ..., \"total\": ...}, Locust's shape)");
  app.add_option("-i,--iterations", cmd.iterations,
                 "End the run after this many tasks, all users together: each task started "
                 "counts, a user that finds none left stops, and the run ends when the last one "
                 "is done (0 = no limit)")
      ->check(non_negative());
  app.add_option("user_classes", cmd.user_classes,
                 "Run only these user classes (names as `arrload -l` lists them)")
      ->type_name("UserClass");
  app.add_option("--exit-code-on-error", cmd.exit_code_on_error,
                 "Exit status when any request failed or a user's task raised, for runs that are "
                 "not judged; when budgets (or --target-pid/--target-metrics) judge the run, the "
                 "verdict's status applies instead (docs/budgets.md)")
      ->capture_default_str()
      ->check(in_range(0, 255));
  app.add_flag("--only-summary", cmd.only_summary, "Print only the final summary, no live table");
  app.add_flag("--reset-stats", cmd.reset_stats,
               "Reset the statistics once every user has spawned");
  app.add_option("--threads", cmd.threads, "Worker threads (default: one per core)")
      ->check(in_range(0, kMaxThreads));
  app.add_option("--seed", cmd.seed, "Random seed for task choice and templates (0 = random)")
      ->check(non_negative());
  app.add_flag("--verify-tls", cmd.verify_tls,
               "Check HTTPS server certificates (off by default, like Locust)");
  // Comparison with a baseline run (docs/compare.md).
  app.add_option("--baseline", cmd.baseline,
                 "Compare the run at its end with this earlier run: its JSON report (--json-file) "
                 "or CSV prefix (--csv); shown after the summary and in the HTML report");
  app.add_option("--max-regression", cmd.max_regressions,
                 "With --baseline, a regression budget that joins the verdict: "
                 "[SCOPE:]METRIC:CHANGE, e.g. 'p95:+10%', 'read:p99:+50ms', 'error_rate:+0.5pp', "
                 "'rps:-10%' (repeatable; a change within the run-to-run noise passes)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option_function<std::string>(
         "--max-body-size",
         [&cmd](const std::string& text) { cmd.max_body_bytes = *core::parse_size(text); },
         "Largest response body read (64MiB, 1GiB, 500KB, bytes; 0 = no limit): a bigger one "
         "fails the request with 'BodyTooLarge: response body over SIZE' (default: 64MiB)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            return core::parse_size(text) ? "" : "'" + text + "' is not a size (e.g. 64MiB)";
          },
          "SIZE", "size"));
  // Every option also reads ARRLOAD_<LONG_NAME> from the environment, as Locust reads LOCUST_*.
  for (CLI::Option* o : app.get_options()) {
    if (!o->get_lnames().empty() && o->get_lnames().front() != "help") {
      o->envname(env_name(o->get_lnames().front()));
    }
  }
}

}  // namespace arrload::cli
