// The runner's control loop, in process: stopping and signals.
#include "engine/runner.h"

#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

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
  hooks.every_second = [&runner](const stats::Snapshot&) { runner.request_stop(); };
  RunResult r = run_bounded(runner, hooks, 20s);
  EXPECT_EQ(r.reason, StopReason::kRequested);
}

}  // namespace
}  // namespace arrload::engine
