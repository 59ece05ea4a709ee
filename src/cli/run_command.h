#pragma once
// `arrload run`: options, and running a load test with its reports.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}
namespace arrload::engine {
class RunControl;
}
namespace arrload::stats {
struct Snapshot;
}
namespace arrload::budget {
struct Verdict;
struct Budgets;
}  // namespace arrload::budget
namespace arrload::scenario {
struct Suite;
struct Profile;
}  // namespace arrload::scenario
namespace arrload::report {
struct HtmlReport;
struct RunInfo;
}  // namespace arrload::report
namespace arrload::monitor {
class MemorySampler;
}
namespace arrload::cluster {
class Master;
}

namespace arrload::cli {
class MetricsBoard;
}

namespace arrload::cli {

// Follows and steers the runs `run` drives (the web UI). Called on the run's thread.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  // The run is about to start: CONTROL steers it. It and MEMORY (the target's memory sampler;
  // null when the target is not watched) stay valid until finished(); MEMORY: thread-safe calls
  // only. PAGE: the run's parameters as the HTML report shows them (its statistics, history and
  // memory unset).
  virtual void started(engine::RunControl& control, const report::HtmlReport& page,
                       const monitor::MemorySampler* memory) = 0;
  // Once a second, after the statistics tick, with the budgets judged so far (null without
  // budgets) and arrload's own CPU over the last second (% of one core).
  virtual void second(const stats::Snapshot& snap, const budget::Verdict* so_far,
                      double generator_cpu) = 0;
  // The run ended: its frozen final snapshot, what the reports say of it (INFO.verdict: null
  // when not judged; valid during the call), then the exit status the run would have had.
  virtual void finished(const stats::Snapshot& final_snap, const report::RunInfo& info,
                        int status) = 0;
};

// Exit statuses (docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;  // a report could not be written, the host is unusable
inline constexpr int kExitUsage = 2;         // bad options or a bad scenario file

// The largest -u and --threads taken (more is a typo, not a test this machine could run).
inline constexpr int kMaxUsers = 10'000'000;
inline constexpr int kMaxThreads = 1024;

// Everything `arrload run` accepts, after parsing.
struct RunCommand {
  std::string scenario;  // -f: a YAML file or a directory of them
  // When non-empty, the scenario's files themselves, {name, YAML} (the embedded suite).
  std::vector<std::pair<std::string, std::string>> scenario_files;
  std::string host;       // -H; empty = the scenario's host
  int users = 1;          // -u
  double spawn_rate = 1;  // -r, users per second
  // --arrival-rate: the arrival-rate classes' peak rates scaled to add up to this (per second).
  std::optional<double> arrival_rate;
  std::string run_time;            // -t, "90s", "10m", "1h30m"; empty = until stopped
  std::string stop_timeout = "0";  // --stop-timeout
  bool headless = false;           // --headless: run at once, without the web UI
  bool web = false;                // --web: the web UI (the default; excludes --headless)
  std::string csv_prefix;          // --csv
  bool csv_full_history = false;   // --csv-full-history
  std::string json_path;           // --json-file FILE ("-" = stdout): arrload's report
  bool json_stdout = false;  // --json: Locust's stats list on stdout, everything else on stderr
  std::string html_path;     // --html FILE: the self-contained HTML report
  std::vector<std::string> tags;          // -T
  std::vector<std::string> exclude_tags;  // -E
  std::string loglevel = "INFO";          // -L
  std::string logfile;                    // --logfile FILE: log lines there instead of stderr
  std::vector<std::string> user_classes;  // positional: run only these classes (Locust's)
  bool list_classes = false;              // -l/--list: print the user classes and exit
  bool show_task_ratio = false;           // --show-task-ratio: print the task shares and exit
  bool show_task_ratio_json = false;      // --show-task-ratio-json: the same as JSON
  std::uint64_t iterations = 0;           // -i: stop after this many tasks in all; 0 = no limit
  int exit_code_on_error = 1;             // --exit-code-on-error
  bool only_summary = false;              // --only-summary
  bool reset_stats = false;               // --reset-stats
  int threads = 0;                        // --threads; 0 = one per core
  std::uint64_t seed = 0;                 // --seed; 0 = random
  bool verify_tls = false;                // --verify-tls
  std::uint64_t max_body_bytes = 64ull << 20;  // --max-body-size; 0 = no limit
  std::vector<std::string> profiles;      // --profile a,b: run these profiles one after another
  std::string profile_name;               // set per run: the profile being run ("" = none)
  double time_scale = 1;                  // --time-scale: multiplies a profile's timeline
  bool keep_going = false;                // --keep-going: run every profile even after a failure
  std::string budgets_file;               // --budgets FILE; default: budgets.yaml of the suite
  std::vector<std::string> budget_rules;  // --budget 'read:p95<300ms' (added to, or replacing)
  bool no_budgets = false;                // --no-budgets: do not judge
  std::string junit_path;                 // --junit FILE
  bool abort_on_fail = false;             // --abort-on-fail: stop once a budget is breached
  std::string abort_grace = "10s";        // --abort-grace: judge only after this long
  std::string health;                     // --health PATH|URL (default: the scenario's health:)
  bool no_preflight = false;              // --no-preflight
  std::string preflight_timeout = "10s";  // --preflight-timeout
  std::string recovery_wait = "60s";      // --recovery-wait; 0 = no recovery probe
  int target_pid = 0;                     // --target-pid
  std::string target_metrics;             // --target-metrics URL
  double leak_rate = 1;                   // --leak-rate MiB/min
  double leak_fraction = 5;               // --leak-percent of the starting RSS
  // Whether a failed verdict sets the exit status (the demo shows the verdict without gating).
  bool gate_on_verdict = true;
  // Whether -u, -r, -t were given (command line, config file or environment): they override a
  // profile's values.
  bool users_given = false;
  bool spawn_rate_given = false;
  bool run_time_given = false;
  // Web UI (without --headless): --web-host, --web-port, --web-login, --autostart.
  std::string web_host = "127.0.0.1";
  int web_port = 8089;
  std::string web_login;  // "user:password": HTTP basic auth on the UI
  bool autostart = false;
  int autoquit = -1;                // --autoquit N: quit N s after a test ends; -1: never
  RunObserver* observer = nullptr;  // set by the web UI; not an option
  // Set with --master: the runs' users are on this master's workers. Not an option.
  cluster::Master* master = nullptr;
  // GET /metrics (Prometheus) on its own port: --prometheus-host, --prometheus-port (0 = none),
  // --prometheus-linger (serve the final numbers this long after the run).
  std::string prometheus_host = "127.0.0.1";
  int prometheus_port = 0;
  std::string prometheus_linger = "0";
  // Set while --prometheus-port serves: where the run posts its numbers. Not an option.
  MetricsBoard* metrics = nullptr;
  // Comparison with a baseline run (docs/compare.md).
  std::string baseline;                      // --baseline FILE: a JSON report or a CSV prefix
  std::vector<std::string> max_regressions;  // --max-regression 'p95:+10%' (repeatable)
};

// Declares the run options on APP (a subcommand), bound to CMD, with ARRLOAD_* environment
// variables. Defaults shown in --help are CMD's current values.
void add_run_options(CLI::App& app, RunCommand& cmd, bool scenario_required = true);

// Runs the load test CMD describes and writes its reports. Returns the exit status. Prints
// errors (bad scenario, bad option values) to stderr with what to fix.
int execute_run(const RunCommand& cmd);

// Runs one test of SUITE (already filtered by tags) as CMD says, writing its reports; PROFILE,
// when not null, fills the values CMD left unset. Returns the exit status.
int run_suite_once(const RunCommand& cmd, const scenario::Suite& suite,
                   const scenario::Profile* profile, const budget::Budgets& budgets);

// `arrload profiles -f DIR`: lists the scenario's profiles; 0, or 2 when it does not load.
int execute_profiles(const std::string& scenario);

// `arrload validate -f FILE`: loads the scenario and prints a summary; 0 when valid, 2 otherwise.
int execute_validate(const std::string& scenario, const std::vector<std::string>& tags,
                     const std::vector<std::string>& exclude_tags);

}  // namespace arrload::cli
