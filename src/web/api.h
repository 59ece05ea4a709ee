#pragma once
// The web UI's HTTP API, as plain functions of a request (no sockets: server.cc carries them).
// Locust's routes where they exist (/swarm, /stop, /stats/reset, /stats/requests, its CSVs), so
// scripts written for Locust's UI keep working; docs/web-api.md lists them.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "budget/verdict.h"
#include "monitor/memory_sample.h"
#include "report/history.h"
#include "report/prometheus.h"
#include "scenario/model.h"
#include "stats/snapshot.h"

namespace arrload::web {

struct HttpRequest {
  std::string method;  // "GET", "POST"
  std::string target;  // "/stats/requests?x=1"
  std::string body;
  std::string content_type;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Content-Disposition
};

// Locust's states.
enum class RunState { kReady, kSpawning, kRunning, kStopped };
std::string_view state_name(RunState s);

// A POST /swarm form.
struct SwarmRequest {
  int users = 0;
  double spawn_rate = 0;
  std::string host;      // empty: the current one
  std::string run_time;  // "90s"; empty: until stopped
  std::string profile;   // empty: none
};

// The run over time, for the UI's charts (GET /stats/history).
struct Timeline {
  std::vector<report::HistoryPoint> points;   // one a second, thinned on long runs
  double origin_unix = 0;                     // wall time of t_s == 0
  std::vector<monitor::MemorySample> memory;  // the target's memory; empty when not watched
  std::string memory_source;                  // "pid 1234", a metrics URL; "" when not watched
};

// A user class and how often its tasks run (GET /tasks).
struct ClassTasks {
  std::string name;
  double share = 0;                        // of the users: running ones, else by weight
  std::vector<scenario::TaskShare> tasks;  // shares within the class
};

// A cluster worker as Locust's /stats/requests lists it.
struct WorkerRow {
  std::string id;
  std::string state;  // ready, spawning, running, stopped, missing
  std::uint64_t user_count = 0;
  double cpu_usage = 0;            // % of one core
  std::uint64_t memory_usage = 0;  // bytes
};

// What the UI steers and reads. Implementations are thread-safe.
class Control {
 public:
  virtual ~Control() = default;
  // Starts a run, or changes the user count and spawn rate of the running one. Returns "" on
  // success, else what is wrong.
  virtual std::string swarm(const SwarmRequest& request) = 0;
  // Stops the running test; false when none runs.
  virtual bool stop() = 0;
  virtual void reset_stats() = 0;
  virtual RunState state() const = 0;
  // The newest statistics (the final ones once a run ended); none before the first run.
  virtual std::optional<stats::Snapshot> snapshot() const = 0;
  // The budgets judged on snapshot(); none when the run has no budgets.
  virtual std::optional<budget::Verdict> verdict() const = 0;
  virtual std::string host() const = 0;
  virtual std::vector<std::string> profiles() const = 0;
  // Why the last run ended early (pre-flight failed, bad option); "" when it did not.
  virtual std::string last_error() const = 0;
  // The current (or last) run over time; empty before the first run.
  virtual Timeline timeline() const = 0;
  // The current (or last) run's self-contained HTML report and its JSON report (docs/reports.md),
  // as --html and --json-file write them; none before the first run.
  virtual std::optional<std::string> report_html() const = 0;
  virtual std::optional<std::string> report_json() const = 0;
  // The classes and their tasks' shares.
  virtual std::vector<ClassTasks> tasks() const = 0;
  // The contents of the run's PREFIX_stats_history.csv; none without --csv.
  virtual std::optional<std::string> full_history_csv() const = 0;
  // A cluster master's workers; none when this process runs the users itself.
  virtual std::optional<std::vector<WorkerRow>> workers() const { return std::nullopt; }
  // What GET /metrics says beside snapshot(): the generator's self-check and the target's memory
  // (newest readings); the route adds the state and this process's CPU and memory.
  virtual report::MetricsInfo metrics_info() const { return {}; }
};

// One entry of the route table handle() serves: PATH ("/stats/requests") and METHOD ("GET" also
// answers HEAD). For tests that must cover every route (the login check, server_test.cc).
struct RouteName {
  std::string_view path;
  std::string_view method;
};
std::vector<RouteName> route_names();

// Answers REQUEST. PAGE is the UI's HTML (served at "/").
HttpResponse handle(Control& control, const HttpRequest& request, std::string_view page);

// GET /metrics: CONTROL's newest statistics in the Prometheus text format (report/prometheus.h).
HttpResponse metrics_response(const Control& control);

// Sets INFO's process_cpu_seconds and process_resident_bytes from this process, now.
void add_process_readings(report::MetricsInfo& info);

// GET /stats/history: {"origin_unix", "points": [{t, users, rps, fail_per_s, p50, p95, p99,
// cpu}], "target_memory": [{t, rss_mib}], "memory_source"}; t in seconds from origin_unix.
std::string timeline_json(const Timeline& timeline);

// GET /tasks, in Locust's shape: {"per_class": {Class: {"ratio", "tasks": {Task: {"ratio",
// "tasks"?}}}}, "total": ...}; per class a nested task's ratio is its share of its own group's
// picks (as Locust's), in "total" its share of all picks times its class's share.
std::string tasks_json(const std::vector<ClassTasks>& classes);

// GET /stats/requests: Locust's fields, plus "verdict" and "host". SNAP may be null. WORKERS (a
// master's; null otherwise) adds Locust's "workers" and "worker_count".
std::string stats_requests_json(const stats::Snapshot* snap, RunState state,
                                const budget::Verdict* verdict, const std::string& host,
                                const std::string& last_error,
                                const std::vector<WorkerRow>* workers = nullptr);

}  // namespace arrload::web
