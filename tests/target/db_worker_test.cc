#include "target/db_worker.h"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "target/routes.h"

namespace arrload::target {
namespace {

TEST(DbWorker, RunsJobsFromManyThreadsOnItsOwnThread) {
  Database db(":memory:", 1);
  DbWorker worker(db, true);
  worker.start();
  constexpr int kThreads = 4, kJobs = 250;
  std::atomic<int> done{0};
  std::promise<std::thread::id> db_thread;
  worker.post([&db_thread](Database&) { db_thread.set_value(std::this_thread::get_id()); });
  const std::thread::id id = db_thread.get_future().get();
  std::vector<std::thread> posters;
  posters.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    posters.emplace_back([&] {
      for (int i = 0; i < kJobs; ++i) {
        worker.post([&done, id](Database& d) {
          EXPECT_EQ(std::this_thread::get_id(), id);
          d.add_request("q", std::nullopt, "t");
          ++done;
        });
      }
    });
  }
  for (std::thread& t : posters) t.join();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (done < kThreads * kJobs && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(done.load(), kThreads * kJobs);
  worker.stop();
  EXPECT_EQ(db.count_requests(), kThreads * kJobs);  // every batch committed
}

TEST(DbWorker, StopDropsQueuedJobs) {
  Database db(":memory:", 1);
  DbWorker worker(db, true);  // never started: jobs only queue
  bool ran = false;
  worker.post([&ran](Database&) { ran = true; });
  EXPECT_EQ(worker.queue_depth(), 1u);
  worker.stop();
  worker.stop();
  EXPECT_FALSE(ran);
  EXPECT_EQ(worker.queue_depth(), 0u);
}

TEST(RunDbJob, TurnsADatabaseFailureIntoA500) {
  Database db(":memory:", 1);
  Response res = run_db_job([](Database&) -> Response { throw sqlite::DbError("disk full"); }, db);
  EXPECT_EQ(res.status, 500);
  EXPECT_NE(res.body.find("disk full"), std::string::npos);
}

}  // namespace
}  // namespace arrload::target
