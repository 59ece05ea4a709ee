#pragma once
// What the engine needs to know to run a load test, whatever the options came from.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenario/model.h"
#include "stats/shard.h"

namespace arrload::engine {

// How long a stopped user's on_stop may take once its task is done; past that it is killed.
inline constexpr std::chrono::seconds kOnStopGrace{5};

struct RunOptions {
  std::string host;  // base URL; empty = the scenario's host
  int users = 1;     // target number of users
  // Exact users per class (suite order) instead of USERS split by weight; none = by weight.
  std::optional<std::vector<int>> users_per_class;
  double spawn_rate = 1;                              // users started (or stopped) per second, > 0
  std::optional<std::chrono::microseconds> run_time;  // stop after this; none = until stopped
  std::chrono::microseconds stop_timeout{0};          // let users finish their task for this long
  int threads = 0;                                    // worker threads; 0 = one per core
  bool reset_stats = false;  // reset statistics once all users have spawned
  bool verify_tls = false;   // check server certificates
  // The largest response body read; a bigger one fails the request (http::ClientContext::
  // set_max_body_bytes). 0: no limit.
  std::uint64_t max_body_bytes = 64ull << 20;
  std::uint64_t seed = 0;  // random seed; 0 = from the clock
  // -i/--iterations: the run ends once this many tasks (leaf tasks, in all users) have started
  // and ended; users that find none left stop. 0 = no limit.
  std::uint64_t iterations = 0;
  // Called with every request recorded, on the worker threads, several at once (-L DEBUG's
  // per-request lines): must be thread-safe. Empty: none.
  stats::SampleListener on_sample;
  // A load shape: its stages set users, spawn rate and classes over time (users and spawn_rate
  // above are then unused), and the run ends after its last stage (or at run_time if sooner).
  std::optional<scenario::Shape> shape;
  // --arrival-rate: the arrival-rate classes' peak rates, scaled by one factor, add up to this
  // (iterations per second). None: the rates as the scenario declares them.
  std::optional<double> arrival_rate;
  // This process's share of every arrival-rate schedule and pool, in a cluster: worker INDEX of
  // COUNT takes iterations INDEX, INDEX + COUNT, ... (engine/arrival_schedule.h).
  struct Segment {
    std::uint64_t index = 0;
    std::uint64_t count = 1;
  };
  Segment segment;
};

}  // namespace arrload::engine
