#pragma once
// Runs a load test: spawns users at the spawn rate onto worker threads, ticks the statistics
// once a second, stops on run time, request or signal, and returns one frozen final Snapshot.
#include <functional>
#include <memory>
#include <string_view>

#include "engine/control.h"
#include "engine/run_options.h"
#include "scenario/model.h"
#include "stats/snapshot.h"

namespace arrload::engine {

// The runner's hooks are the run's events (control.h).
using RunHooks = RunEvents;

// The local engine behind RunControl: worker threads running the users of this process.
class Runner : public Engine {
 public:
  // SUITE must outlive the runner, and, when a run ended by leaving a stuck worker thread behind
  // (the hard stop deadline), the process. Throws std::invalid_argument for unusable options
  // (bad host).
  Runner(const scenario::Suite& suite, RunOptions options);
  ~Runner() override;
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Runs the test on the calling thread until it stops, telling EVENTS as it goes. Call once.
  RunResult run(const RunEvents& events) override;

  // RunControl. Any time, also before run() (a stop then ends the run at once).
  void retarget(UserTargets targets) override;
  void stop(StopReason reason = StopReason::kRequested) override;
  void reset_stats() override;
  // Kills every user at once; a worker thread that has not handed over its last statistics a
  // second later is left behind (see the hard stop deadline).
  void hurry() override;

  // Runs F once on each worker thread (after handing over its statistics). For tests, which use
  // it to stand for a task that never gives its thread back. Thread-safe.
  void run_on_workers(const std::function<void()>& f);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace arrload::engine
