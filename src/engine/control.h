#pragma once
// The one way into a running load test. The headless CLI, the web UI and a cluster worker all
// drive a run through RunControl and hear back through RunEvents; none reaches the engine's
// threads any other way.
//
// A run starts with the targets its RunOptions give (or its shape's first stage), is changed with
// retarget(), and ends with stop(); "quit" is the driver's business once the run has returned
// (a worker process exits, the web UI waits for the next start).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stats/snapshot.h"

namespace arrload::engine {

enum class StopReason {
  kRunTime,    // --run-time elapsed, or the shape ended
  kSignal,     // SIGINT or SIGTERM
  kRequested,  // stop() from a driver (web UI, --abort-on-fail, a master's stop)
  kFailed,     // the run could not go on (a cluster master lost every worker): RunResult.error
};

// How many users to run, and how fast to get there.
struct UserTargets {
  // Total users, split over the classes by their weights in Locust's dispatch order. Ignored
  // when per_class is set.
  int users = 0;
  // Exact users per class, in the suite's class order (a cluster master's dispatch decides
  // them). Shorter than the class list: the missing classes get 0.
  std::optional<std::vector<int>> per_class;
  double spawn_rate = 1;  // users started or stopped per second, > 0
};

// Users per class name, in the suite's class order.
using ClassCounts = std::vector<std::pair<std::string, std::uint64_t>>;

// Commands. Thread-safe: each is posted to the run's control thread and takes effect there, in
// the order given; any of them may come before the run has started.
class RunControl {
 public:
  virtual ~RunControl() = default;
  // Ramps to TARGETS at their spawn rate (replacing the current targets, even mid-ramp). With a
  // load shape, its next stage replaces them in turn.
  virtual void retarget(UserTargets targets) = 0;
  // Ends the run as its run time would: spawning stops, users stop (see RunOptions'
  // stop_timeout), and the run returns its final snapshot. REASON: what the result says.
  virtual void stop(StopReason reason = StopReason::kRequested) = 0;
  // Forgets the statistics so far (Locust's /stats/reset).
  virtual void reset_stats() = 0;
  // A second Ctrl-C: stops the run if it was not stopping, and ends it within about a second,
  // without the stop timeout or on_stop (users are killed; what they had in flight is not
  // counted). The default does nothing more than stop().
  virtual void hurry() { stop(StopReason::kSignal); }
};

// Events, called on the run's control thread. Each may be empty.
struct RunEvents {
  // A ramp to new targets begins.
  std::function<void(const UserTargets&)> spawning;
  // The targets are reached: the users now running, per class.
  std::function<void(const ClassCounts&)> spawned;
  // The run began stopping (every user is being stopped).
  std::function<void(StopReason)> stopping;
  // Once a second, after the statistics tick.
  std::function<void(const stats::Snapshot&)> every_second;
  // Every 2 s (the live console table).
  std::function<void(const stats::Snapshot&)> every_two_seconds;
  // The run's own signal handling took SIGINT or SIGTERM (SIGNO): the first stops the run, the
  // next ones hurry() it.
  std::function<void(int signo)> signalled;
  // Progress messages ("Ramping to 10 users at a rate of 5.00 per second").
  std::function<void(std::string_view)> info;
  // Every batch of samples as a worker thread hands it over, before the statistics take it in
  // (a cluster worker sends them on, exactly). Called on the engine's worker threads, several at
  // once: it must be thread-safe.
  std::function<void(const stats::ShardDelta&)> recorded;
};

struct RunResult {
  stats::Snapshot final;  // frozen after every user stopped; every report is written from it
  StopReason reason = StopReason::kRunTime;
  // With kFailed: why the run could not go on.
  std::string error;
  // What the reports should also say about the run (a cluster master: workers that were
  // CPU-saturated or lost, rows merged from Locust's rounded buckets).
  std::vector<std::string> notes;
};

// Something that runs a load test: the local engine (Runner), or a cluster master whose workers
// run the users. The CLI and the web UI drive either the same way.
class Engine : public RunControl {
 public:
  // Runs the test on the calling thread until it stops, telling EVENTS as it goes. Call once.
  virtual RunResult run(const RunEvents& events) = 0;
};

}  // namespace arrload::engine
