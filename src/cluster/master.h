#pragma once
// The master node of a cluster speaking Locust 2.12.1's protocol (../shared/locust-protocol.md):
// arrload and Locust workers connect to it; it dispatches the users over them by class weight,
// paces the ramp-up with its spawn messages, watches their heartbeats, and merges their
// statistics into one run whose reports are exactly those of a local run.
//
// Workers that send arrload's extension (stats::Delta under kDeltaKey) are merged exactly, every
// histogram bucket; Locust workers' rows come from Locust's rounded buckets and are reported as
// approximate.
//
// Threads: the Master's own protocol thread owns the ZeroMQ socket for the whole process
// (workers connect and are listed between runs, as in Locust's web UI); a run (new_run()) is
// driven on the thread that calls its run(), like engine::Runner, and talks to the protocol
// thread through the shared, locked state.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/control.h"
#include "engine/run_options.h"
#include "scenario/model.h"

namespace arrload::cluster {

struct MasterOptions {
  std::string bind_host = "*";  // --master-bind-host ("*": every interface)
  int bind_port = 5557;         // --master-bind-port; 0 = any free port (tests)
  // A run starts once this many workers are ready (when wait_for_workers), as Locust's headless
  // and --autostart masters do; given up after expect_workers_max_wait (0 = never).
  int expect_workers = 1;
  bool wait_for_workers = false;
  std::chrono::milliseconds expect_workers_max_wait{0};
  // Move the users of a worker that went missing to the others (Locust's --enable-rebalancing).
  // A worker that joins during a run always gets its share, as in Locust.
  bool enable_rebalancing = false;
  // The scenario's fingerprint: an arrload worker announcing another one is refused, with the
  // reason sent to it. Empty: no check.
  std::string scenario_hash;
  // What Locust workers get in a spawn's parsed_options (they filter their tasks with them).
  std::vector<std::string> tags;
  std::vector<std::string> exclude_tags;
  // Locust's liveness: a worker missing this many 1 s heartbeat checks in a row is missing.
  int heartbeat_liveness = 3;
  std::chrono::milliseconds heartbeat_check{1'000};
  // Polled by a run: true when the process was asked to stop (SIGINT/SIGTERM).
  std::function<bool()> interrupted;
  // Polled too: true after a second signal; the run then ends within about a second.
  std::function<bool()> hurried;
  // Log lines ("INFO", text); to stderr when empty. Called on the protocol thread and the run's.
  std::function<void(std::string_view level, std::string_view text)> log;
};

// One worker as the web UI and the reports show it (Locust's /stats/requests "workers").
struct WorkerView {
  std::string id;
  std::string state;  // ready, spawning, running, stopped, missing
  std::uint64_t user_count = 0;
  double cpu_percent = 0;
  std::uint64_t memory_bytes = 0;
  bool arrload = false;  // sends exact histograms (an arrload worker)
};

// The `client_ready` version an arrload worker sends: "arrload VERSION scenario:HASH", which a
// Locust master only logs, and from which an arrload master reads the scenario's fingerprint.
std::string worker_version(std::string_view version, std::string_view scenario_hash);

class Master {
 public:
  // Binds the socket and starts the protocol thread. SUITE must outlive the master. Throws
  // std::runtime_error when the address cannot be bound.
  Master(const scenario::Suite& suite, MasterOptions options);
  // Tells every worker to quit and waits (up to 2 s) for them to say so.
  ~Master();
  Master(const Master&) = delete;
  Master& operator=(const Master&) = delete;

  // The next run, with OPTIONS' users, spawn rate, shape, run time, host and stop timeout (the
  // local ones, threads, seed, TLS, are the workers'). One run at a time.
  std::unique_ptr<engine::Engine> new_run(engine::RunOptions options);

  // The workers known now, by index. Thread-safe.
  std::vector<WorkerView> workers() const;
  // The port bound (useful with bind_port 0).
  int port() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace arrload::cluster
