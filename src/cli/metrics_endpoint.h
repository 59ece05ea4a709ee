#pragma once
// GET /metrics on --prometheus-port (docs/prometheus.md): a board the run posts its newest
// numbers to once a second, and a small HTTP server (web::Server on net/listener) that renders
// them at each scrape. The scrape never touches the engine: it reads the board's last copy.
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "engine/runner.h"
#include "monitor/memory_sample.h"
#include "monitor/self_check.h"
#include "report/prometheus.h"
#include "stats/snapshot.h"
#include "web/server.h"

namespace arrload::cli {

struct RunCommand;

// The newest statistics and run state of this process, for /metrics. Thread-safe.
class MetricsBoard {
 public:
  // A run begins: its state is "spawning", the previous run's numbers are forgotten.
  void begin_run();
  // Keeps SNAP's totals (report::metrics_view), replacing the previous ones.
  void update(const stats::Snapshot& snap);
  // One of report::kRunStates.
  void set_state(std::string_view state);
  void set_generator(const monitor::SelfCheckSample& sample);
  void set_target_memory(const monitor::MemorySample& sample);
  // The exposition, with this process's CPU and memory read now.
  std::string render() const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const stats::Snapshot> snap_;  // null before the first second of a run
  report::MetricsInfo info_;
};

// Chains onto HOOKS (keeping what they already do) the board's run state: spawning, running,
// stopping.
void follow_run_state(engine::RunHooks& hooks, MetricsBoard& board);

// Starts the /metrics server on CMD's --prometheus-host/--prometheus-port, answering with
// RENDER() (called on the server's thread). Logs where it listens. Throws std::runtime_error
// naming the address when it cannot listen.
std::unique_ptr<web::Server> start_metrics_server(const RunCommand& cmd,
                                                  std::function<std::string()> render);

// Runs RUN with a copy of CMD whose `metrics` is a board served on --prometheus-port, then keeps
// serving the final numbers for --prometheus-linger (until SIGINT/SIGTERM), then stops. Returns
// RUN's status; kExitRuntimeError (the reason printed) when the port cannot be served, kExitUsage
// for a bad --prometheus-linger.
int with_metrics_endpoint(const RunCommand& cmd, const std::function<int(const RunCommand&)>& run);

}  // namespace arrload::cli
