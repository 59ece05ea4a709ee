#pragma once
// Runs a load test: spawns users at the spawn rate onto worker threads, ticks the statistics
// once a second, stops on run time, request or signal, and returns one frozen final Snapshot.
#include <functional>
#include <memory>
#include <string_view>

#include "engine/run_options.h"
#include "scenario/model.h"
#include "stats/snapshot.h"

namespace arrload::engine {

enum class StopReason {
  kRunTime,    // --run-time elapsed
  kSignal,     // SIGINT or SIGTERM
  kRequested,  // request_stop()
};

struct RunHooks {
  // Called on the control thread once a second, after the stats tick (history rows).
  std::function<void(const stats::Snapshot&)> every_second;
  // Called on the control thread every 2 s (the live console table).
  std::function<void(const stats::Snapshot&)> every_two_seconds;
  // Progress messages ("Ramping to 10 users at a rate of 5.00 per second").
  std::function<void(std::string_view)> info;
};

struct RunResult {
  stats::Snapshot final;  // frozen after every user stopped; every report is written from it
  StopReason reason = StopReason::kRunTime;
};

// Throws std::invalid_argument naming the URL when a host the suite's classes would use (HOST,
// else the suite's or the class's own) is not a usable http(s)/ws(s) URL. A missing host is
// not an error here (the run asks for one).
void check_hosts(const scenario::Suite& suite, const std::string& host);

class Runner {
 public:
  // SUITE must outlive the runner. Throws std::invalid_argument for unusable options (bad host).
  Runner(const scenario::Suite& suite, RunOptions options);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Runs the test on the calling thread until it stops. Call once.
  RunResult run(const RunHooks& hooks);

  // Stops the run as if the run time had elapsed (REASON: what the result says). Thread-safe;
  // any time, also before run() (which then stops at once).
  void request_stop(StopReason reason = StopReason::kRequested);
  // Changes the target user count and spawn rate mid-run. Thread-safe.
  void set_target(int users, double spawn_rate);
  // Forgets the statistics so far (Locust's /stats/reset). Thread-safe.
  void reset_stats();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace arrload::engine
