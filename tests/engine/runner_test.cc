// The runner's control loop, in process: stopping and signals.
#include "engine/runner.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "scenario/loader.h"

namespace arrload::engine {
namespace {

using namespace std::chrono_literals;

scenario::Suite idle_suite() {
  return scenario::load_suite_from_strings({{"idle.yaml",
                                             "host: http://127.0.0.1:9\n"
                                             "users:\n"
                                             "  - name: Idle\n"
                                             "    wait: constant(1)\n"
                                             "    tasks:\n"
                                             "      - request: GET /never\n"}},
                                           "idle");
}

// Runs RUNNER on a thread; a run that does not return within LIMIT ends this test process
// (ctest runs each test in its own) instead of hanging the suite.
RunResult run_bounded(Runner& runner, const RunHooks& hooks, std::chrono::seconds limit) {
  RunResult result;
  std::atomic<bool> done{false};
  std::thread t([&] {
    result = runner.run(hooks);
    done = true;
  });
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(10ms);
  if (!done) {
    std::fprintf(stderr, "FAILED: the run did not return within %llds\n",
                 static_cast<long long>(limit.count()));
    std::_Exit(1);
  }
  t.join();
  return result;
}

// A signal that finds every user already ended drains the run inside the signal's own handler;
// the run must still return (a re-armed signal wait used to keep it alive for ever).
TEST(RunnerTest, SignalWhenNoUserIsLeftStillEndsTheRun) {
  scenario::Suite suite = idle_suite();
  RunOptions opts;
  opts.users = 0;
  opts.threads = 2;
  Runner runner(suite, opts);
  RunHooks hooks;
  hooks.every_second = [](const stats::Snapshot&) { ::raise(SIGTERM); };
  RunResult r = run_bounded(runner, hooks, 20s);
  EXPECT_EQ(r.reason, StopReason::kSignal);
  EXPECT_EQ(r.final.user_count, 0u);
}

TEST(RunnerTest, RequestStopEndsAnIdleRun) {
  scenario::Suite suite = idle_suite();
  RunOptions opts;
  opts.users = 0;
  opts.threads = 1;
  Runner runner(suite, opts);
  RunHooks hooks;
  hooks.every_second = [&runner](const stats::Snapshot&) { runner.stop(); };
  RunResult r = run_bounded(runner, hooks, 20s);
  EXPECT_EQ(r.reason, StopReason::kRequested);
}

// A worker thread that never gets back to its event loop (here: a task standing for a bug that
// blocks it for 20 s) cannot hold the run: past stop timeout + 5 s + 2 s the users are killed, a
// second later the run ends without that thread, with its statistics as handed over.
TEST(RunnerTest, HardDeadlineEndsARunWhoseWorkerNeverReturns) {
  // The abandoned thread goes on using the suite after the run (and this test) returned.
  static const scenario::Suite& suite = *new scenario::Suite(idle_suite());
  RunOptions opts;
  opts.users = 1;
  opts.threads = 1;
  Runner runner(suite, opts);
  RunHooks hooks;
  bool wedged = false;
  std::vector<std::string> info;
  hooks.info = [&info](std::string_view text) { info.emplace_back(text); };
  hooks.every_second = [&](const stats::Snapshot&) {
    if (wedged) return;
    wedged = true;
    runner.run_on_workers([] { std::this_thread::sleep_for(20s); });
    runner.stop();
  };
  const auto start = std::chrono::steady_clock::now();
  RunResult r = run_bounded(runner, hooks, 18s);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.reason, StopReason::kRequested);
  // 1 s before the stop, 5 s + 2 s to the kill, 1 s more, up to 1 s to give up on the thread.
  EXPECT_GT(seconds, 8.5);
  EXPECT_LT(seconds, 14);
  const auto said = [&info](std::string_view what) {
    return std::any_of(info.begin(), info.end(),
                       [what](const std::string& line) { return line.find(what) == 0; });
  };
  EXPECT_TRUE(said("Users still running 7s after the stop; ending them now"));
  EXPECT_TRUE(said("Users did not end; the run ends without them"));
}

scenario::Suite two_class_suite() {
  return scenario::load_suite_from_strings({{"two.yaml",
                                             "host: http://127.0.0.1:9\n"
                                             "users:\n"
                                             "  - name: A\n"
                                             "    weight: 3\n"
                                             "    wait: constant(1)\n"
                                             "    tasks:\n"
                                             "      - request: GET /never\n"
                                             "  - name: B\n"
                                             "    wait: constant(1)\n"
                                             "    tasks:\n"
                                             "      - request: GET /never\n"}},
                                           "two");
}

// The command interface as a cluster worker uses it: start with nobody, then exact per-class
// targets, then a total split by weight; every ramp is announced and its end reported, in order.
TEST(RunnerTest, PerClassTargetsAndTheirEvents) {
  scenario::Suite suite = two_class_suite();
  RunOptions opts;
  opts.users = 0;
  opts.threads = 2;
  Runner runner(suite, opts);
  RunControl& control = runner;
  std::vector<std::string> events;
  std::vector<ClassCounts> reached;
  RunEvents ev;
  ev.spawning = [&](const UserTargets& t) {
    events.push_back(t.per_class ? "spawning per class" : fmt::format("spawning {}", t.users));
  };
  ev.spawned = [&](const ClassCounts& counts) {
    events.push_back("spawned");
    reached.push_back(counts);
    if (reached.size() == 2) {
      control.retarget(UserTargets{4, std::nullopt, 100});
    } else if (reached.size() == 3) {
      control.stop();
    }
  };
  ev.stopping = [&](StopReason why) {
    events.push_back(why == StopReason::kRequested ? "stopping requested" : "stopping other");
  };
  control.retarget(UserTargets{0, std::vector<int>{1, 5}, 100});
  RunResult r = run_bounded(runner, ev, 20s);
  EXPECT_EQ(r.reason, StopReason::kRequested);
  // The opening 0 users, the per-class ramp, then the total.
  EXPECT_EQ(events,
            (std::vector<std::string>{"spawning 0", "spawned", "spawning per class", "spawned",
                                      "spawning 4", "spawned", "stopping requested"}));
  ASSERT_EQ(reached.size(), 3u);
  EXPECT_EQ(reached[1], (ClassCounts{{"A", 1}, {"B", 5}}));
  EXPECT_EQ(reached[2], (ClassCounts{{"A", 3}, {"B", 1}}));  // weights 3:1
  EXPECT_EQ(r.final.users_per_class, reached[2]);
}

}  // namespace
}  // namespace arrload::engine
