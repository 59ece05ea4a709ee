#pragma once
// Locust's -i/--iterations: how many tasks the users of a run may start in all. Shared by every
// worker thread of a run; lock-free.
#include <atomic>
#include <cstdint>
#include <functional>
#include <utility>

namespace arrload::engine {

class TaskBudget {
 public:
  // LIMIT > 0 tasks. SPENT is called once, on the thread of the user whose task was the last to
  // end, when LIMIT tasks have started and ended; it must be thread-safe.
  TaskBudget(std::uint64_t limit, std::function<void()> spent)
      : limit_(limit), spent_(std::move(spent)) {}
  TaskBudget(const TaskBudget&) = delete;
  TaskBudget& operator=(const TaskBudget&) = delete;

  // Before a task: true when it may start (it then counts); false once LIMIT have started.
  bool take() { return started_.fetch_add(1, std::memory_order_relaxed) < limit_; }
  // After a task take() let start.
  void done() {
    if (ended_.fetch_add(1, std::memory_order_acq_rel) + 1 == limit_ && spent_) spent_();
  }
  std::uint64_t limit() const { return limit_; }

 private:
  const std::uint64_t limit_;
  std::function<void()> spent_;
  std::atomic<std::uint64_t> started_{0};
  std::atomic<std::uint64_t> ended_{0};
};

}  // namespace arrload::engine
