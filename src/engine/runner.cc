#include "engine/runner.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/clock.h"
#include "core/duration.h"
#include "engine/arrival_schedule.h"
#include "engine/class_hosts.h"
#include "engine/dispatch.h"
#include "engine/exception_log.h"
#include "engine/shape.h"
#include "engine/worker.h"
#include "stats/aggregator.h"

namespace arrload::engine {

namespace asio = boost::asio;
using std::chrono::microseconds;

namespace {

// An arrival-rate class's pool takes one more worker thread per this many users.
constexpr std::size_t kUsersPerThread = 50;

// How long a stopping run waits for its users, past their kill timers, before it ends without them.
constexpr std::chrono::seconds kHardStopGrace{2};

struct Spawned {
  std::size_t worker;
  std::uint64_t user_id;
  int class_index;
};

}  // namespace

struct Runner::Impl {
  Impl(const scenario::Suite& s, RunOptions o)
      : suite(s),
        opts(std::move(o)),
        urls(class_urls(s, opts.host)),
        dispatcher(class_weights(s)),
        feeds(s),
        aggregator(core::now_us(), core::wall_unix_seconds()),
        spawn_timer(io),
        tick_timer(io),
        stop_timer(io),
        shape_timer(io),
        drain_timer(io),
        hard_timer(io),
        signals(io, SIGINT, SIGTERM) {
    int threads = opts.threads > 0
                      ? opts.threads
                      : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    if (opts.iterations > 0) {
      // The user that ends the last task is on a worker thread: the stop is posted here.
      tasks = std::make_unique<TaskBudget>(opts.iterations, [this] {
        asio::post(io, [this] {
          info(fmt::format("Iteration limit reached ({}), stopping users", opts.iterations));
          begin_stop(StopReason::kRunTime);
        });
      });
    }
    for (int i = 0; i < threads; ++i) {
      workers.push_back(std::make_unique<Worker>(suite, urls, aggregator, exceptions,
                                                 opts.verify_tls, tasks.get(), &feeds));
      if (opts.on_sample) workers.back()->set_sample_listener(opts.on_sample);
      workers.back()->set_max_body_bytes(opts.max_body_bytes);
    }
    seed = opts.seed != 0 ? opts.seed : std::random_device{}();
    targets.users = opts.users;
    targets.per_class = opts.users_per_class;
    targets.spawn_rate = opts.spawn_rate;
  }

  const scenario::Suite& suite;
  RunOptions opts;
  std::vector<http::Url> urls;
  ClassDispatcher dispatcher;
  FeedCursors feeds;  // per run: unique rows start again with each run
  stats::Aggregator aggregator;
  ExceptionLog exceptions;
  std::unique_ptr<TaskBudget> tasks;  // -i/--iterations; declared first: outlives the workers
  std::vector<std::unique_ptr<Worker>> workers;
  asio::io_context io{1};
  asio::steady_timer spawn_timer, tick_timer, stop_timer, shape_timer, drain_timer, hard_timer;
  asio::signal_set signals;
  const RunHooks* hooks = nullptr;
  std::vector<Spawned> spawned;  // running users in spawn order; ramp-down removes the newest
  std::uint64_t next_user_id = 0;
  std::uint64_t seed = 0;
  UserTargets targets;  // in force (a shape's stage sets them too)
  std::uint64_t peak_users = 0;
  core::Micros started_us = 0;
  std::optional<std::size_t> stage;  // the shape's stage in force
  bool spawn_complete_reported = false;
  bool stopping = false;
  bool drained = false;    // every user ended; no timer may re-arm after this
  bool hurried = false;    // hurry() ran: users killed, the run ends within a second
  bool abandoned = false;  // the hard deadline passed with users still running (see hard_stop)
  // Workers whose thread did not end (detached): never destroyed, as their thread may use them.
  std::vector<std::unique_ptr<Worker>> wedged;
  int ticks = 0;
  std::vector<std::pair<std::string, std::uint64_t>> users_at_stop;  // for the final snapshot
  std::uint64_t user_count_at_stop = 0;
  StopReason reason = StopReason::kRunTime;

  void info(std::string_view text) {
    if (hooks && hooks->info) hooks->info(text);
  }

  std::vector<std::pair<std::string, std::uint64_t>> users_per_class() const {
    std::vector<std::uint64_t> counts(suite.classes.size(), 0);
    for (const auto& s : spawned) ++counts[static_cast<std::size_t>(s.class_index)];
    for (std::size_t c = 0; c < counts.size(); ++c) {
      if (!suite.classes[c].arrival) continue;
      for (const auto& w : workers) {
        if (w) counts[c] += w->pooled_users(static_cast<int>(c));
      }
    }
    std::vector<std::pair<std::string, std::uint64_t>> out;
    for (std::size_t i = 0; i < counts.size(); ++i)
      out.emplace_back(suite.classes[i].name, counts[i]);
    return out;
  }

  stats::Snapshot snapshot() const {
    stats::Snapshot snap = aggregator.snapshot(core::now_us(), core::wall_unix_seconds());
    snap.users_per_class = users_per_class();
    snap.user_count = 0;
    for (const auto& [name, n] : snap.users_per_class) snap.user_count += n;
    snap.peak_user_count = std::max(peak_users, snap.user_count);
    snap.exceptions = exceptions.list();
    return snap;
  }

  std::string class_summary() const {
    std::string parts;
    std::uint64_t total = 0;
    for (const auto& [name, n] : users_per_class()) {
      if (!parts.empty()) parts += ", ";
      parts += fmt::format("\"{}\": {}", name, n);
      total += n;
    }
    return fmt::format("{{{}}} ({} total users)", parts, total);
  }

  bool has_closed_classes() const {
    return std::any_of(suite.classes.begin(), suite.classes.end(),
                       [](const scenario::UserClass& c) { return !c.arrival; });
  }

  // The factor --arrival-rate puts on every arrival-rate class's rates: their peaks then add up
  // to it.
  double arrival_scale() const {
    if (!opts.arrival_rate) return 1.0;
    double sum = 0;
    for (const auto& c : suite.classes) {
      if (c.arrival) sum += c.arrival->peak_rate();
    }
    return sum > 0 ? *opts.arrival_rate / sum : 1.0;
  }

  // When every class is an arrival-rate class with stages, the run ends with the longest
  // schedule (like a shape); nullopt otherwise.
  std::optional<microseconds> schedules_end() const {
    std::optional<microseconds> end;
    for (const auto& c : suite.classes) {
      if (!c.arrival || !c.arrival->duration()) return std::nullopt;
      end = std::max(end.value_or(microseconds(0)), *c.arrival->duration());
    }
    return end;
  }

  // This process's share of N (a pool size) as worker INDEX of COUNT: an even split, at least 1.
  static int share_of(int n, const RunOptions::Segment& seg) {
    const auto total = static_cast<std::uint64_t>(n);
    const std::uint64_t mine = total / seg.count + (seg.index < total % seg.count ? 1 : 0);
    return static_cast<int>(std::max<std::uint64_t>(1, mine));
  }

  // Starts every arrival-rate class's schedule, this process's share spread over the worker
  // threads: thread i of T takes every T-th of the process's iterations and its share of the
  // pool (T: one thread per kUsersPerThread pooled users, at least one).
  void start_arrivals() {
    const double scale = arrival_scale();
    const RunOptions::Segment seg = opts.segment;
    // The schedules' time 0 comes a moment after now, once the worker threads have built their
    // pools (a few µs per user): otherwise the first iterations would all start late.
    int pooled = 0;
    for (const auto& c : suite.classes) {
      if (c.arrival) pooled += share_of(c.arrival->pool, seg);
    }
    const core::Micros schedule_start =
        core::now_us() + std::min<core::Micros>(100'000, 2'000 + 20 * core::Micros{pooled});
    for (std::size_t c = 0; c < suite.classes.size(); ++c) {
      const auto& arrival = suite.classes[c].arrival;
      if (!arrival) continue;
      auto schedule = std::make_shared<const ArrivalSchedule>(*arrival, scale);
      const int pool = share_of(arrival->pool, seg);
      const int max_pool = std::max(pool, share_of(arrival->max_pool, seg));
      // A thread per kUsersPerThread pooled users: a small pool split over threads would find
      // its free users less often (each thread sees only its share of the starts).
      const std::size_t threads = std::clamp<std::size_t>(
          static_cast<std::size_t>(pool) / kUsersPerThread, 1, workers.size());
      for (std::size_t i = 0; i < threads; ++i) {
        const RunOptions::Segment part{i, threads};
        ArrivalShare share;
        share.class_index = static_cast<int>(c);
        share.schedule = schedule;
        share.first = seg.index + seg.count * i;
        share.stride = seg.count * threads;
        share.pool = share_of(pool, part);
        share.max_pool = std::max(share.pool, share_of(max_pool, part));
        share.first_user_id = next_user_id;
        share.seed = seed ^ (0xA5A5A5A5ULL + c * 0x9E3779B97F4A7C15ULL + i);
        share.start_us = schedule_start;
        next_user_id += static_cast<std::uint64_t>(share.max_pool);
        workers[i]->start_arrivals(std::move(share));
      }
      const double lead_ms =
          static_cast<double>(std::max<core::Micros>(0, schedule_start - core::now_us())) / 1e3;
      const std::string how = arrival->stages.empty()
                                  ? fmt::format("at {:.2f}", arrival->rate * scale)
                                  : fmt::format("in {} stages up to {:.2f}", arrival->stages.size(),
                                                arrival->peak_rate() * scale);
      info(
          fmt::format("Arrival rate: {} {} iterations per second (pool {}, up to {}; first start "
                      "in {:.3f} ms)",
                      suite.classes[c].name, how, pool, max_pool, lead_ms));
    }
  }

  void spawn_one(int cls) {
    std::uint64_t id = next_user_id++;
    std::size_t w = id % workers.size();
    workers[w]->add_user(cls, id, seed ^ (id * 0x9E3779B97F4A7C15ULL));
    spawned.push_back({w, id, cls});
  }

  // The users wanted, as class indices in the order they start: the dispatcher's order for a
  // total, or the classes in turn for exact per-class counts.
  std::vector<int> wanted_order() const {
    if (!targets.per_class) return dispatcher.first(static_cast<std::size_t>(targets.users));
    std::vector<int> left(suite.classes.size(), 0);
    for (std::size_t c = 0; c < left.size() && c < targets.per_class->size(); ++c) {
      left[c] = std::max(0, (*targets.per_class)[c]);
    }
    std::vector<int> out;
    for (bool any = true; any;) {
      any = false;
      for (std::size_t c = 0; c < left.size(); ++c) {
        if (left[c] > 0) {
          out.push_back(static_cast<int>(c));
          --left[c];
          any = true;
        }
      }
    }
    return out;
  }

  // One step of Locust's spawning: max(1, floor(rate)) users started or stopped, one step every
  // step/rate seconds. The target is a count per class (wanted_order): surplus users stop newest
  // first, missing ones start in that order (so with one set of classes and a total, the N-th
  // user's class depends only on N).
  void spawn_step() {
    if (stopping) return;
    const double spawn_rate = targets.spawn_rate;
    const int step = std::max(1, static_cast<int>(std::floor(spawn_rate)));
    const std::size_t n_classes = suite.classes.size();
    const std::vector<int> want = wanted_order();
    std::vector<int> want_count(n_classes, 0), have(n_classes, 0);
    for (int c : want) ++want_count[static_cast<std::size_t>(c)];
    for (const Spawned& s : spawned) ++have[static_cast<std::size_t>(s.class_index)];
    int budget = step;
    std::vector<bool> remove(spawned.size(), false);
    bool removed_any = false;
    for (std::size_t i = spawned.size(); i-- > 0 && budget > 0;) {
      auto c = static_cast<std::size_t>(spawned[i].class_index);
      if (have[c] > want_count[c]) {
        workers[spawned[i].worker]->stop_user(spawned[i].user_id, opts.stop_timeout);
        remove[i] = true;
        removed_any = true;
        --have[c];
        --budget;
      }
    }
    if (removed_any) {
      std::size_t out = 0;
      for (std::size_t i = 0; i < spawned.size(); ++i) {
        if (!remove[i]) spawned[out++] = spawned[i];
      }
      spawned.resize(out);
    }
    std::vector<int> seen(n_classes, 0);
    for (int c : want) {
      if (budget == 0) break;
      auto k = static_cast<std::size_t>(c);
      if (++seen[k] > have[k]) {
        spawn_one(c);
        ++have[k];
        --budget;
      }
    }
    peak_users = std::max<std::uint64_t>(peak_users, spawned.size());
    if (have != want_count) {
      spawn_timer.expires_after(microseconds(static_cast<std::int64_t>(1e6 * step / spawn_rate)));
      spawn_timer.async_wait([this](boost::system::error_code ec) {
        if (!ec && !drained) spawn_step();
      });
    } else if (!spawn_complete_reported) {
      spawn_complete_reported = true;
      // An open-model run's pools start on their own; there is no ramp to report the end of.
      if (has_closed_classes()) info(fmt::format("All users spawned: {}", class_summary()));
      if (hooks && hooks->spawned) hooks->spawned(users_per_class());
      if (opts.reset_stats) {
        aggregator.reset(core::now_us(), core::wall_unix_seconds());
        exceptions.clear();
        info("Resetting stats");
      }
    }
  }

  // Puts the shape's stage for now in force and sets a timer for the next boundary.
  void apply_shape() {
    if (!opts.shape || stopping) return;
    const microseconds elapsed(core::now_us() - started_us);
    const std::optional<std::size_t> now = stage_at(*opts.shape, elapsed);
    if (!now) {
      info("Load shape finished. Stopping users");
      begin_stop(StopReason::kRunTime);
      return;
    }
    if (now != stage) {
      stage = now;
      const scenario::ShapeStage& st = opts.shape->stages[*now];
      dispatcher = ClassDispatcher(class_weights(suite, st.classes));
      info(fmt::format("Shape '{}' stage {} of {}", opts.shape->name, *now + 1,
                       opts.shape->stages.size()));
      retarget(UserTargets{st.users, std::nullopt, st.spawn_rate});
    }
    microseconds end{0};
    for (std::size_t i = 0; i <= *now; ++i) end += opts.shape->stages[i].duration;
    shape_timer.expires_after(end - elapsed);
    shape_timer.async_wait([this](boost::system::error_code ec) {
      if (!ec && !drained) apply_shape();
    });
  }

  void retarget(UserTargets next) {
    next.users = std::max(0, next.users);
    if (!(next.spawn_rate > 0)) next.spawn_rate = 1;
    targets = std::move(next);
    spawn_complete_reported = false;
    if (!has_closed_classes()) {
      // Only arrival-rate classes: their schedules decide the users; nothing to ramp.
    } else if (targets.per_class) {
      int total = 0;
      for (int n : *targets.per_class) total += std::max(0, n);
      info(fmt::format("Ramping to {} users ({}) at a rate of {:.2f} per second", total,
                       per_class_text(*targets.per_class), targets.spawn_rate));
    } else {
      info(fmt::format("Ramping to {} users at a rate of {:.2f} per second", targets.users,
                       targets.spawn_rate));
    }
    if (hooks && hooks->spawning) hooks->spawning(targets);
    spawn_timer.cancel();
    spawn_step();
  }

  std::string per_class_text(const std::vector<int>& counts) const {
    std::string out;
    for (std::size_t c = 0; c < counts.size() && c < suite.classes.size(); ++c) {
      out += fmt::format("{}{}: {}", out.empty() ? "" : ", ", suite.classes[c].name, counts[c]);
    }
    return out;
  }

  void schedule_tick() {
    tick_timer.expires_after(std::chrono::seconds(1));
    tick_timer.async_wait([this](boost::system::error_code ec) {
      // A tick that expired together with the run-time timer is already queued when the drain
      // cancels it, so cancel() alone cannot stop it from re-arming.
      if (ec || drained) return;
      collect_then_tick();
    });
  }

  // Every worker hands over what it recorded, then the second closes: a second's statistics hold
  // exactly the samples recorded before its tick, however late a worker's thread runs.
  void collect_then_tick() {
    auto pending = std::make_shared<std::atomic<std::size_t>>(workers.size());
    for (auto& w : workers) {
      w->flush_then([this, pending] {
        if (pending->fetch_sub(1) == 1) {
          asio::post(io, [this] {
            if (!drained) tick();
          });
        }
      });
    }
  }

  void tick() {
    aggregator.tick();
    ++ticks;
    stats::Snapshot snap = snapshot();
    if (hooks->every_second) hooks->every_second(snap);
    if (ticks % 2 == 0 && hooks->every_two_seconds) hooks->every_two_seconds(snap);
    schedule_tick();
  }

  void begin_stop(StopReason why) {
    if (stopping) return;
    stopping = true;
    reason = why;
    users_at_stop = users_per_class();
    user_count_at_stop = 0;
    for (const auto& [name, n] : users_at_stop) user_count_at_stop += n;
    if (hooks && hooks->stopping) hooks->stopping(why);
    spawn_timer.cancel();
    stop_timer.cancel();
    shape_timer.cancel();
    for (auto& w : workers) w->stop_all(opts.stop_timeout);
    // Users are killed by their workers at stop_timeout + the on_stop grace; if a run is still
    // not over a little after that, something misbehaves, and the run ends without it.
    hard_timer.expires_after(opts.stop_timeout + kOnStopGrace + kHardStopGrace);
    hard_timer.async_wait([this](boost::system::error_code ec) {
      if (!ec && !drained) hard_stop(/*last_chance=*/false);
    });
    wait_for_workers();
  }

  // The hard deadline: first every user is killed; a second later the run ends regardless, and
  // the final snapshot holds what the workers handed over until then.
  void hard_stop(bool last_chance) {
    if (!last_chance) {
      info(fmt::format("Users still running {} after the stop; ending them now",
                       core::format_duration(opts.stop_timeout + kOnStopGrace + kHardStopGrace)));
      for (auto& w : workers) w->kill_all();
      hard_timer.expires_after(std::chrono::seconds(1));
      hard_timer.async_wait([this](boost::system::error_code ec) {
        if (!ec && !drained) hard_stop(/*last_chance=*/true);
      });
      return;
    }
    info("Users did not end; the run ends without them (reports hold what was recorded)");
    abandoned = true;
    finish_drain();
  }

  void finish_drain() {
    drained = true;
    spawned.clear();
    tick_timer.cancel();
    drain_timer.cancel();
    hard_timer.cancel();
    signals.cancel();
  }

  void wait_for_workers() {
    bool all_done = std::all_of(workers.begin(), workers.end(),
                                [](const auto& w) { return w->live_users() == 0; });
    if (all_done) {
      finish_drain();
      return;  // nothing left on io: run() returns
    }
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait([this](boost::system::error_code ec) {
      if (!ec && !drained) wait_for_workers();
    });
  }

  // A second signal: every user is killed now; a worker that has not handed over its last
  // statistics within a second is left behind (hard_stop's last chance).
  void hurry() {
    if (drained) return;
    if (!stopping) begin_stop(StopReason::kSignal);
    if (drained || hurried) return;
    hurried = true;
    info("A signal while stopping: ending the users now (the run ends within a second)");
    for (auto& w : workers) w->kill_all();
    hard_timer.expires_after(std::chrono::seconds(1));
    hard_timer.async_wait([this](boost::system::error_code ec) {
      if (!ec && !drained) hard_stop(/*last_chance=*/true);
    });
  }

  void watch_signals() {
    signals.async_wait([this](boost::system::error_code ec, int signo) {
      if (ec || drained) return;
      if (hooks && hooks->signalled) hooks->signalled(signo);
      if (!stopping) {
        info(
            fmt::format("Received {}, stopping (reports will be written; a second Ctrl-C ends "
                        "the users at once)",
                        signo == SIGINT ? "SIGINT" : "SIGTERM"));
        begin_stop(StopReason::kSignal);
      } else {
        hurry();
      }
      // begin_stop may drain at once (every user already ended); a wait armed after the drain's
      // cancel() would keep io.run() from returning.
      if (!drained) watch_signals();
    });
  }
};

Runner::Runner(const scenario::Suite& suite, RunOptions options)
    : impl_(std::make_unique<Impl>(suite, std::move(options))) {}

Runner::~Runner() {
  // A worker left running by the hard deadline still refers to the aggregator and the exception
  // log in Impl: keep them alive, and reachable, for the rest of the process.
  if (impl_ && impl_->abandoned) {
    // Never destroyed, not even at exit (the thread may still run then); reachable, so leak
    // checkers do not report it.
    static std::mutex mutex;
    static auto* kept = new std::vector<std::unique_ptr<Impl>>();
    std::lock_guard lock(mutex);
    kept->push_back(std::move(impl_));
  }
}

RunResult Runner::run(const RunHooks& hooks) {
  Impl& m = *impl_;
  m.hooks = &hooks;
  m.aggregator.reset(core::now_us(), core::wall_unix_seconds());
  if (hooks.recorded) m.aggregator.set_tap(hooks.recorded);
  for (auto& w : m.workers) w->start();
  m.watch_signals();
  if (m.opts.run_time) {
    m.stop_timer.expires_after(*m.opts.run_time);
    m.stop_timer.async_wait([&m](boost::system::error_code ec) {
      if (ec) return;
      m.info("Time limit reached. Stopping users");
      m.begin_stop(StopReason::kRunTime);
    });
  }
  m.schedule_tick();
  m.started_us = core::now_us();
  m.start_arrivals();
  if (const auto end = m.schedules_end(); end && !m.opts.shape && !m.opts.run_time) {
    m.stop_timer.expires_after(*end);
    m.stop_timer.async_wait([&m](boost::system::error_code ec) {
      if (ec) return;
      m.info("Arrival schedules finished. Stopping users");
      m.begin_stop(StopReason::kRunTime);
    });
  }
  if (m.opts.shape) {
    m.apply_shape();
  } else {
    m.retarget(m.targets);
  }
  m.io.run();
  if (m.abandoned) {
    // A worker thread that did not end may still touch its Worker and this Impl: both are
    // leaked on purpose (see ~Runner) rather than destroyed under it.
    for (auto& w : m.workers) {
      const auto wait =
          m.hurried ? std::chrono::milliseconds(100) : std::chrono::milliseconds(1000);
      if (!w->join_for(wait)) m.wedged.push_back(std::move(w));
    }
  } else {
    for (auto& w : m.workers) w->join();
  }
  m.aggregator.tick();
  RunResult result;
  result.final = m.snapshot();
  // The final reports describe the load that ran, not the zero users left after stopping.
  result.final.users_per_class = m.users_at_stop;
  result.final.user_count = m.user_count_at_stop;
  result.reason = m.reason;
  return result;
}

void Runner::stop(StopReason reason) {
  asio::post(impl_->io, [m = impl_.get(), reason] { m->begin_stop(reason); });
}

void Runner::hurry() {
  asio::post(impl_->io, [m = impl_.get()] { m->hurry(); });
}

void Runner::run_on_workers(const std::function<void()>& f) {
  for (auto& w : impl_->workers) {
    if (w) w->flush_then(f);
  }
}

void Runner::reset_stats() {
  asio::post(impl_->io, [m = impl_.get()] {
    m->aggregator.reset(core::now_us(), core::wall_unix_seconds());
    m->exceptions.clear();
  });
}

void Runner::retarget(UserTargets targets) {
  asio::post(impl_->io,
             [m = impl_.get(), t = std::move(targets)]() mutable { m->retarget(std::move(t)); });
}

}  // namespace arrload::engine
