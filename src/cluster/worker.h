#pragma once
// A worker node under a Locust master (Locust 2.12.1's protocol, ../shared/locust-protocol.md).
//
// The worker connects a ZeroMQ DEALER socket to the master, announces itself (`client_ready`),
// and then does what the master says: each `spawn` sets the absolute users per class (a run
// starts on the first one, later ones retarget it), `stop` ends the run and makes the worker
// ready for the next, `quit` ends the run and the process. Meanwhile it sends a heartbeat every
// second and the statistics recorded since its previous report every 3 s.
//
// Threads: the calling thread owns the socket (ZeroMQ sockets are not thread-safe) and runs
// the protocol; each run gets its own thread running engine::Runner; the run's events come back
// to the protocol thread through a small inbox.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "engine/run_options.h"
#include "scenario/model.h"
#include "stats/snapshot.h"

namespace arrload::cluster {

struct WorkerOptions {
  std::string master_host = "127.0.0.1";  // --master-host
  int master_port = 5557;                 // --master-port
  // Sent in client_ready; Locust's master refuses an empty one.
  std::string version = "arrload";
  // Everything but the users and the host, which the master's spawn messages set (threads, seed,
  // TLS, stop timeout; a spawn's stop_timeout wins over this one).
  engine::RunOptions run;
  // How long to wait for the master's ack, resending client_ready every resend_every; the worker
  // then gives up (exit status 1).
  std::chrono::milliseconds connect_timeout{60'000};
  std::chrono::milliseconds resend_every{5'000};
  // How long the connection to the master may stay down (the master died, froze or is cut off)
  // before the worker stops its users and exits with status 1.
  std::chrono::milliseconds master_timeout{60'000};
  std::chrono::milliseconds heartbeat_every{1'000};
  std::chrono::milliseconds report_every{3'000};  // Locust's WORKER_REPORT_INTERVAL
  // Polled between messages: true when the process was asked to stop (SIGINT/SIGTERM outside a
  // run). The worker then ends its run, reports, tells the master it quits and returns.
  std::function<bool()> interrupted;
  // Called after each run on the protocol thread (the runner handled the signals while it ran;
  // this gives them back to whoever catches them between runs).
  std::function<void()> run_ended;
  // Log lines ("INFO", text); to stderr when empty.
  std::function<void(std::string_view level, std::string_view text)> log;
  // For /metrics (--prometheus-port); each may be empty. Told every run's statistics once a
  // second and its final ones, and its state ("spawning", "running", "stopping", "stopped"), on
  // the run's threads.
  std::function<void(const stats::Snapshot&)> on_snapshot;
  std::function<void(std::string_view)> on_state;
};

// Runs the worker until the master sends quit, the connection cannot be made, or it is
// interrupted. SUITE (already filtered by tags) must outlive the call. Returns the process's
// exit status: 0 after quit or an interruption, 1 when no master answered or it was lost.
int run_worker(const scenario::Suite& suite, const WorkerOptions& options);

// A node id as Locust's workers make them: "<hostname>_<32 hex digits>" (random).
std::string make_node_id();

}  // namespace arrload::cluster
