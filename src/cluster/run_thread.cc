#include "cluster/run_thread.h"

#include <algorithm>
#include <utility>

#include "core/clock.h"

namespace arrload::cluster {

RunThread::RunThread(const scenario::Suite& suite, engine::RunOptions options, WorkerShared& shared,
                     std::function<void(std::string_view)> log)
    : runner_(std::make_unique<engine::Runner>(suite, std::move(options))), shared_(shared) {
  events_.info = std::move(log);
  events_.spawned = [this](const engine::ClassCounts& counts) {
    {
      std::lock_guard lock(shared_.mu);
      shared_.events.push_back({RunEvent::Kind::kSpawned, counts, {}});
    }
    state("running");
  };
  events_.spawning = [this](const engine::UserTargets&) { state("spawning"); };
  events_.stopping = [this](engine::StopReason) { state("stopping"); };
  events_.every_second = [this](const stats::Snapshot& snap) { observe(snap); };
  events_.recorded = [this](const stats::ShardDelta& d) {
    const auto second = static_cast<std::int64_t>(core::wall_unix_seconds());
    std::lock_guard lock(shared_.mu);
    shared_.delta.add(d, second);
  };
  {
    std::lock_guard lock(shared_.mu);
    shared_.reporter.start_run();
    shared_.exceptions_seen.clear();
  }
  state("spawning");
  thread_ = std::thread([this] { body(); });
}

RunThread::~RunThread() {
  bool finished = false;
  {
    std::lock_guard lock(shared_.mu);
    finished = finished_;
  }
  if (!finished) runner_->stop(engine::StopReason::kRequested);
  thread_.join();
}

void RunThread::state(std::string_view name) const {
  if (shared_.on_state) shared_.on_state(name);
}

void RunThread::observe(const stats::Snapshot& snap) {
  if (shared_.on_snapshot) shared_.on_snapshot(snap);
  std::lock_guard lock(shared_.mu);
  shared_.reporter.observe(snap);
  for (const auto& [message, count] : snap.exceptions) {
    std::uint64_t& seen = shared_.exceptions_seen[message];
    if (count > seen) shared_.delta.add_exception(message, count - seen);
    seen = std::max(seen, count);
  }
}

void RunThread::body() {
  engine::RunResult result = runner_->run(events_);
  observe(result.final);
  state("stopped");
  std::lock_guard lock(shared_.mu);
  shared_.events.push_back({RunEvent::Kind::kFinished, {}, result.reason});
  finished_ = true;
}

}  // namespace arrload::cluster
