#pragma once
// The database thread: the one thread that touches the target's Database. SQLite has one writer
// at a time, so writes queue up here, as they do in the real service; the I/O threads only post
// jobs and get their results back on their own executor (connection.cc), so none of them ever
// waits for the database.
//
// Jobs queued while the thread is busy run together in one transaction (group commit).
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "target/database.h"

namespace arrload::target {

class DbWorker {
 public:
  using Job = std::function<void(Database&)>;

  // DB must outlive the worker. QUIET: false reports failed commits on stderr.
  DbWorker(Database& db, bool quiet);
  ~DbWorker();  // stop()s
  DbWorker(const DbWorker&) = delete;
  DbWorker& operator=(const DbWorker&) = delete;

  // Starts the thread. Call once.
  void start();
  // Queues JOB. Any thread. A job must not throw (wrap it: see run_db_job in routes.h); jobs
  // still queued at stop() are destroyed without running.
  void post(Job job);
  // Jobs queued and not yet started.
  std::size_t queue_depth() const;
  // Finishes the batch under way, drops the rest and joins the thread. Idempotent.
  void stop();

 private:
  void run();

  Database& db_;
  bool quiet_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Job> queue_;  // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  std::thread thread_;
};

}  // namespace arrload::target
