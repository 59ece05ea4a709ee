#include "target/db_worker.h"

#include <cstdio>

#include <fmt/format.h>

namespace arrload::target {

DbWorker::DbWorker(Database& db, bool quiet) : db_(db), quiet_(quiet) {}

DbWorker::~DbWorker() { stop(); }

void DbWorker::start() {
  thread_ = std::thread([this] { run(); });
}

void DbWorker::post(Job job) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
}

std::size_t DbWorker::queue_depth() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void DbWorker::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  std::vector<Job> dropped;
  {
    std::lock_guard lock(mu_);
    dropped.swap(queue_);
  }
}

void DbWorker::run() {
  std::vector<Job> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      batch.swap(queue_);
    }
    // A failed BEGIN or COMMIT (disk full, the file locked by another process) leaves the jobs
    // to run in autocommit mode: slower, but every request still gets its answer.
    bool in_transaction = false;
    try {
      db_.begin();
      in_transaction = true;
    } catch (const sqlite::DbError& e) {
      if (!quiet_) fmt::print(stderr, "arrload target: database: {}\n", e.what());
    }
    for (Job& job : batch) job(db_);
    batch.clear();
    if (!in_transaction) continue;
    try {
      db_.commit();
    } catch (const sqlite::DbError& e) {
      if (!quiet_) fmt::print(stderr, "arrload target: database: {}\n", e.what());
      db_.rollback();
    }
  }
}

}  // namespace arrload::target
