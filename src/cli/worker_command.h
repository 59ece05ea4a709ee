#pragma once
// `arrload run -f S --worker [--master-host H] [--master-port 5557]`: this process becomes a
// worker node under a Locust (or, later, arrload) master, which decides the users, the host and
// when to start and stop. See docs/distributed.md.
#include <string>

namespace CLI {
class App;
}

namespace arrload::cli {

struct RunCommand;

// The cluster options of `run`, with Locust's names and defaults.
struct WorkerFlags {
  bool worker = false;                    // --worker
  std::string master_host = "127.0.0.1";  // --master-host
  int master_port = 5557;                 // --master-port
  double connect_timeout = 60;            // --master-connect-timeout, seconds (ours)
  double master_timeout = 60;             // --master-timeout, seconds (ours)
  // The master's side.
  bool master = false;                 // --master
  std::string master_bind_host = "*";  // --master-bind-host: "*" = every interface
  int master_bind_port = 5557;         // --master-bind-port
  int expect_workers = 1;              // --expect-workers (headless: wait for this many)
  double expect_workers_max_wait = 0;  // --expect-workers-max-wait, seconds; 0 = forever
  bool enable_rebalancing = false;     // --enable-rebalancing
};

// Declares --worker, --master-host and --master-port on APP (the run subcommand), bound to
// FLAGS, with their ARRLOAD_* environment variables.
void add_worker_options(CLI::App& app, WorkerFlags& flags);

// Runs this process as a worker with CMD's scenario, tags, threads, seed, TLS and stop-timeout
// options until the master says quit. Returns the exit status (0 after quit or Ctrl-C, 1 when no
// master answered or the master was lost, 2 for a bad scenario or option).
int execute_worker(const RunCommand& cmd, const WorkerFlags& flags);

// Runs this process as the master of a cluster: CMD's run (headless, profiles or the web UI)
// with its users on the workers that connect. Returns the run's exit status.
int execute_master(const RunCommand& cmd, const WorkerFlags& flags);

// `arrload locustfile -f S`: prints the locustfile a Locust master needs to drive workers
// running S (its classes' names, weights and tags). 0, or 2 when S does not load.
int execute_locustfile(const std::string& scenario);

}  // namespace arrload::cli
