#include "cli/worker_command.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/config_file.h"
#include "cli/metrics_endpoint.h"
#include "cli/option_checks.h"
#include "cli/run_command.h"
#include "cli/run_support.h"
#include "cluster/locustfile.h"
#include "cluster/master.h"
#include "cluster/worker.h"
#include "scenario/loader.h"

namespace arrload::cli {

void add_worker_options(CLI::App& app, WorkerFlags& flags) {
  const char* group = "Distributed (Locust's master/worker protocol)";
  std::vector<CLI::Option*> added = {
      app.add_flag("--worker", flags.worker,
                   "Run as a worker: connect to a master, which sets the users, the host and "
                   "when to start and stop (-u, -r, -t are the master's)")
          ->group(group),
      app.add_option("--master-host", flags.master_host, "With --worker: the master's address")
          ->capture_default_str()
          ->group(group),
      app.add_option("--master-port", flags.master_port, "With --worker: the master's port")
          ->capture_default_str()
          ->check(in_range(1, 65535))
          ->group(group),
      app.add_option("--master-connect-timeout", flags.connect_timeout,
                     "With --worker: give up (exit status 1) when no master answered within this "
                     "many seconds")
          ->capture_default_str()
          ->check(in_range(0.1, 86'400))
          ->group(group),
      app.add_option("--master-timeout", flags.master_timeout,
                     "With --worker: stop the users when the connection to the master has been "
                     "down this many seconds, then wait --master-connect-timeout for a master "
                     "(exit status 1 if none comes)")
          ->capture_default_str()
          ->check(in_range(0.1, 86'400))
          ->group(group),
      app.add_flag("--master", flags.master,
                   "Run as the master: workers (arrload or Locust) connect to it and run the "
                   "users; it dispatches them, merges their statistics and writes the reports")
          ->group(group),
      app.add_option("--master-bind-host", flags.master_bind_host,
                     "With --master: the interface to listen on (\"*\" = all)")
          ->capture_default_str()
          ->group(group),
      app.add_option("--master-bind-port", flags.master_bind_port,
                     "With --master: the port workers connect to")
          ->capture_default_str()
          ->check(in_range(1, 65535))
          ->group(group),
      app.add_option("--expect-workers", flags.expect_workers,
                     "With --master --headless: wait for this many workers before starting")
          ->capture_default_str()
          ->check(in_range(1, 1'000'000))
          ->group(group),
      app.add_option("--expect-workers-max-wait", flags.expect_workers_max_wait,
                     "With --expect-workers: give up after this many seconds (0 = wait forever)")
          ->capture_default_str()
          ->check(in_range(0, 86'400.0 * 365))
          ->group(group),
      app.add_flag("--enable-rebalancing", flags.enable_rebalancing,
                   "With --master: move users to the other workers when a worker joins or goes "
                   "missing during a run")
          ->group(group)};
  for (CLI::Option* o : added) o->envname(env_name(o->get_lnames().front()));
}

namespace {

std::optional<scenario::Suite> load(const RunCommand& cmd) {
  try {
    return cmd.scenario_files.empty()
               ? scenario::load_suite(cmd.scenario)
               : scenario::load_suite_from_strings(cmd.scenario_files, cmd.scenario);
  } catch (const scenario::ScenarioError& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    return std::nullopt;
  }
}

}  // namespace

int execute_locustfile(const std::string& scenario) {
  RunCommand cmd;
  cmd.scenario = scenario;
  std::optional<scenario::Suite> suite = load(cmd);
  if (!suite) return kExitUsage;
  fmt::print("{}", cluster::locustfile_stub(*suite, scenario));
  return kExitOk;
}

int execute_worker(const RunCommand& cmd, const WorkerFlags& flags) {
  catch_signals();  // a signal while the scenario loads: the worker quits before connecting
  std::optional<scenario::Suite> suite = load(cmd);
  if (!suite) return kExitUsage;
  scenario::filter_tags(*suite, split_list(cmd.tags), split_list(cmd.exclude_tags));
  if (suite->classes.empty()) {
    fmt::print(stderr, "arrload: {}: no task is left after filtering by tags (-T/-E)\n",
               suite->file);
    return kExitUsage;
  }
  auto stop_timeout = duration_option("--stop-timeout", cmd.stop_timeout, /*allow_zero=*/true);
  if (!stop_timeout) return kExitUsage;
  if (cmd.users_given || cmd.spawn_rate_given || cmd.run_time_given) {
    log_line("WARNING", "-u, -r and -t are ignored with --worker: the master decides them");
  }

  cluster::WorkerOptions opts;
  opts.master_host = flags.master_host;
  opts.master_port = flags.master_port;
  opts.connect_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(flags.connect_timeout * 1000));
  opts.master_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(flags.master_timeout * 1000));
  opts.version = cluster::worker_version(
      ARRLOAD_VERSION, scenario_fingerprint(cmd.scenario, cmd.scenario_files, suite->feeders));
  opts.run.host = cmd.host;  // until a master's spawn names one
  opts.run.threads = cmd.threads;
  opts.run.seed = cmd.seed;
  opts.run.verify_tls = cmd.verify_tls;
  opts.run.max_body_bytes = cmd.max_body_bytes;
  opts.run.stop_timeout = *stop_timeout;
  opts.interrupted = [] { return g_signal != 0; };
  opts.run_ended = [] { catch_signals(); };
  const int min_rank = level_rank(cmd.loglevel);
  opts.log = [min_rank](std::string_view level, std::string_view text) {
    if (level_rank(std::string(level)) >= min_rank) log_line(std::string(level), text);
  };
  catch_signals();
  if (cmd.prometheus_port == 0) return cluster::run_worker(*suite, opts);
  // /metrics: this worker's own numbers (a master exports the merged ones).
  return with_metrics_endpoint(cmd, [&](const RunCommand& with_board) {
    MetricsBoard& board = *with_board.metrics;
    opts.on_snapshot = [&board](const stats::Snapshot& snap) { board.update(snap); };
    opts.on_state = [&board](std::string_view state) { board.set_state(state); };
    return cluster::run_worker(*suite, opts);
  });
}

int execute_master(const RunCommand& cmd, const WorkerFlags& flags) {
  std::optional<scenario::Suite> suite = load(cmd);
  if (!suite) return kExitUsage;
  if (flags.expect_workers_max_wait > 0 && !cmd.headless && !cmd.autostart) {
    log_line("WARNING", "--expect-workers-max-wait applies to --headless and --autostart runs");
  }
  cluster::MasterOptions mo;
  mo.bind_host = flags.master_bind_host;
  mo.bind_port = flags.master_bind_port;
  mo.expect_workers = flags.expect_workers;
  mo.wait_for_workers = cmd.headless || cmd.autostart;
  mo.expect_workers_max_wait =
      std::chrono::milliseconds(static_cast<std::int64_t>(flags.expect_workers_max_wait * 1000));
  mo.enable_rebalancing = flags.enable_rebalancing;
  mo.scenario_hash = scenario_fingerprint(cmd.scenario, cmd.scenario_files, suite->feeders);
  mo.tags = split_list(cmd.tags);
  mo.exclude_tags = split_list(cmd.exclude_tags);
  mo.interrupted = [] { return g_signal != 0; };
  mo.hurried = [] { return hurried(); };
  const int min_rank = level_rank(cmd.loglevel);
  mo.log = [min_rank](std::string_view level, std::string_view text) {
    if (level_rank(std::string(level)) >= min_rank) log_line(std::string(level), text);
  };
  std::unique_ptr<cluster::Master> master;
  try {
    master = std::make_unique<cluster::Master>(*suite, mo);
  } catch (const std::exception& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    return kExitRuntimeError;
  }
  if (level_rank(cmd.loglevel) <= 1) {
    log_line("INFO", fmt::format("Master listening for workers on {}:{} (scenario fingerprint {})",
                                 flags.master_bind_host, master->port(), mo.scenario_hash));
  }
  RunCommand run = cmd;
  run.master = master.get();
  return execute_run(run);
}

}  // namespace arrload::cli
