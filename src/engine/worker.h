#pragma once
// A worker thread: one io_context running a share of the users, their connections and a stats
// shard. Nothing on the request path is shared with other threads; the shard is handed to the
// Aggregator when the runner's once-a-second tick asks for it (flush_then), and when the last
// user has ended.
//
// Thread-safety: the public methods may be called from any thread; they post to the worker.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <unordered_map>

#include "core/clock.h"
#include "engine/arrival_schedule.h"
#include "engine/exception_log.h"
#include "engine/feed.h"
#include "engine/task_budget.h"
#include "http/url.h"
#include "scenario/model.h"
#include "stats/aggregator.h"

namespace arrload::engine {

// One thread's share of an arrival-rate class: the iterations FIRST, FIRST + STRIDE, ... of
// SCHEDULE, run by a pool of POOL users that grows to MAX_POOL (ids FIRST_USER_ID onwards).
struct ArrivalShare {
  int class_index = 0;
  std::shared_ptr<const ArrivalSchedule> schedule;
  std::uint64_t first = 0;
  std::uint64_t stride = 1;
  int pool = 1;
  int max_pool = 1;
  std::uint64_t first_user_id = 0;
  std::uint64_t seed = 0;
  core::Micros start_us = 0;  // the schedule's time 0, on core::now_us()'s clock
};

class Worker {
 public:
  // SUITE, AGGREGATOR, EXCEPTIONS, TASKS (-i; null: no limit) and FEEDS (the run's feeder rows;
  // null only when the suite has no feeders) must outlive the worker.
  Worker(const scenario::Suite& suite, std::vector<http::Url> class_urls,
         stats::Aggregator& aggregator, ExceptionLog& exceptions, bool verify_tls,
         TaskBudget* tasks = nullptr, FeedCursors* feeds = nullptr);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Calls LISTENER with every request this worker's users record (on its thread). Before start().
  void set_sample_listener(stats::SampleListener listener);
  // The largest response body a request reads (http::ClientContext::set_max_body_bytes; 0: no
  // limit). Before start().
  void set_max_body_bytes(std::uint64_t bytes);
  // Starts the thread.
  void start();
  // Starts user USER_ID of class CLASS_INDEX.
  void add_user(int class_index, std::uint64_t user_id, std::uint64_t seed);
  // Starts SHARE's pool and schedule; they run until stop_all() or kill_all(). Iterations that
  // find no free user while the pool is at its maximum are counted as dropped.
  void start_arrivals(ArrivalShare share);
  // Stops user USER_ID: it finishes its current task within STOP_TIMEOUT, then runs on_stop
  // (bounded by a further grace period); past that its connection is closed.
  void stop_user(std::uint64_t user_id, std::chrono::microseconds stop_timeout);
  // Stops every user as stop_user does, then ends the thread once all have finished and the
  // last stats are handed over. join() waits for that.
  void stop_all(std::chrono::microseconds stop_timeout);
  // Ends every user now: requests in flight are abandoned and on_stop is skipped.
  void kill_all();
  // Hands the shard's samples to the aggregator on the worker's thread, then calls DONE there
  // (or at once on the caller's thread when the worker has ended). Always calls DONE once.
  void flush_then(std::function<void()> done);
  void join();
  // Waits up to TIMEOUT for the thread to end; true (and joined) when it did. When it did not,
  // the thread is detached: the Worker must then never be destroyed (the caller leaks it), as
  // the thread may still use it.
  bool join_for(std::chrono::milliseconds timeout);

  // Users still running (stopping ones included).
  std::size_t live_users() const { return live_.load(std::memory_order_relaxed); }
  // Users of arrival-rate classes running on this thread (their pools; stopping ones included).
  std::size_t pooled_users(int class_index) const;

  struct Impl;  // the thread's state; defined in worker.cc

 private:
  std::unique_ptr<Impl> impl_;
  std::atomic<std::size_t> live_{0};
  std::atomic<bool> exited_{false};
  std::thread thread_;
};

}  // namespace arrload::engine
