#pragma once
// One run of the engine on its own thread, for the worker: the run's statistics go into a
// LocustReporter and its events into an inbox the protocol thread drains.
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>

#include "cluster/locust_stats.h"
#include "engine/runner.h"
#include "stats/delta.h"

namespace arrload::cluster {

// What a run tells the protocol thread.
struct RunEvent {
  enum class Kind {
    kSpawned,   // the targets are reached: COUNTS
    kFinished,  // the run returned (its final snapshot is in the reporter): REASON
  };
  Kind kind = Kind::kSpawned;
  engine::ClassCounts counts;
  engine::StopReason reason = engine::StopReason::kRequested;
};

// Shared by the protocol thread and the run's threads; every member guarded by mu.
struct WorkerShared {
  std::mutex mu;
  LocustReporter reporter;
  // Everything recorded since the last report, exactly (histograms and all): the extension an
  // arrload master merges instead of Locust's rounded fields.
  stats::Delta delta;
  // The run's scenario errors so far (message -> count), to put only new ones in DELTA.
  std::map<std::string, std::uint64_t> exceptions_seen;
  std::deque<RunEvent> events;
  // Set before the first run, then only read (no lock): WorkerOptions::on_snapshot, on_state.
  std::function<void(const stats::Snapshot&)> on_snapshot;
  std::function<void(std::string_view)> on_state;
};

// The key of the `stats` data under which an arrload worker sends DELTA (MessagePack bin holding
// stats::encode_delta; docs/stats-encoding.md). Locust's master ignores keys it does not know.
inline constexpr const char* kDeltaKey = "arrload_delta";

class RunThread {
 public:
  // Starts a run of SUITE with OPTIONS on a new thread. SUITE and SHARED must outlive this object.
  // LOG(text) receives the runner's progress lines, on the run's control thread. Throws
  // std::invalid_argument when the runner refuses OPTIONS (an unusable host).
  RunThread(const scenario::Suite& suite, engine::RunOptions options, WorkerShared& shared,
            std::function<void(std::string_view)> log);
  // Stops the run if it is still going and waits for its thread.
  ~RunThread();
  RunThread(const RunThread&) = delete;
  RunThread& operator=(const RunThread&) = delete;

  // Thread-safe commands into the run.
  engine::RunControl& control() { return *runner_; }

 private:
  void body();
  // Takes in the run's newest snapshot (the reporter's fields, new scenario errors).
  void observe(const stats::Snapshot& snap);
  // Tells shared_.on_state, if set.
  void state(std::string_view name) const;

  std::unique_ptr<engine::Runner> runner_;
  WorkerShared& shared_;
  engine::RunEvents events_;
  bool finished_ = false;  // guarded by shared_.mu
  std::thread thread_;
};

}  // namespace arrload::cluster
