#include "cluster/run_thread.h"

#include <utility>

namespace arrload::cluster {

RunThread::RunThread(const scenario::Suite& suite, engine::RunOptions options, WorkerShared& shared,
                     std::function<void(std::string_view)> log)
    : runner_(std::make_unique<engine::Runner>(suite, std::move(options))), shared_(shared) {
  events_.info = std::move(log);
  events_.spawned = [this](const engine::ClassCounts& counts) {
    std::lock_guard lock(shared_.mu);
    shared_.events.push_back({RunEvent::Kind::kSpawned, counts, {}});
  };
  events_.every_second = [this](const stats::Snapshot& snap) {
    std::lock_guard lock(shared_.mu);
    shared_.reporter.observe(snap);
  };
  {
    std::lock_guard lock(shared_.mu);
    shared_.reporter.start_run();
  }
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

void RunThread::body() {
  engine::RunResult result = runner_->run(events_);
  std::lock_guard lock(shared_.mu);
  shared_.reporter.observe(result.final);
  shared_.events.push_back({RunEvent::Kind::kFinished, {}, result.reason});
  finished_ = true;
}

}  // namespace arrload::cluster
