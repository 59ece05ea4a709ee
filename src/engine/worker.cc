#include "engine/worker.h"

#include <mutex>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/run_options.h"
#include "engine/user.h"
#include "http/client.h"
#include "stats/shard.h"
#include "ws/session.h"

namespace arrload::engine {

namespace asio = boost::asio;

// An arrival-rate class's share on this thread: the scheduler's state and its free users.
struct ArrivalDriver : IterationPool {
  ArrivalDriver(asio::io_context& io, ArrivalShare s) : share(std::move(s)), timer(io) {}
  void user_free(User* user) override {
    if (!stopped) free.push_back(user);
  }
  ArrivalShare share;
  asio::steady_timer timer;
  std::vector<User*> free;  // the most recently freed last: its connection is the warmest
  int created = 0;
  bool stopped = false;
};

struct Worker::Impl {
  Impl(const scenario::Suite& s, std::vector<http::Url> urls, stats::Aggregator& agg,
       ExceptionLog& ex, bool verify_tls, std::atomic<std::size_t>& live_count)
      : suite(s),
        class_urls(std::move(urls)),
        aggregator(agg),
        work(io.get_executor()),
        client(io, verify_tls),
        ws_client(io, verify_tls),
        env{io, client, ws_client, shard, ex, s},
        live(live_count) {}

  const scenario::Suite& suite;
  std::vector<http::Url> class_urls;
  stats::Aggregator& aggregator;
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work;
  stats::Shard shard;
  http::ClientContext client;
  ws::Context ws_client;
  WorkerEnv env;
  std::unordered_map<std::uint64_t, std::unique_ptr<User>> users;
  // Per stopping user: the timer that ends it if it outlives its stop timeout.
  std::unordered_map<std::uint64_t, std::unique_ptr<asio::steady_timer>> kill_timers;
  std::atomic<std::size_t>& live;
  std::vector<std::unique_ptr<ArrivalDriver>> drivers;
  // Per class (suite order): its users on this thread that belong to a pool.
  std::unique_ptr<std::atomic<std::size_t>[]> pooled {
    new std::atomic<std::size_t>[ suite.classes.size() ]()
  };
  bool stopping_all = false;
  bool finished = false;
  // Guards posting flush requests against the thread's end (see flush_then).
  std::mutex flush_mutex;
  bool closed = false;  // the thread ran its last handlers; nothing posted now would run

  void flush() {
    stats::ShardDelta delta = shard.take();
    if (!delta.empty()) aggregator.absorb(std::move(delta));
  }

  void stop_one(User& user, std::chrono::microseconds stop_timeout) {
    user.stop();
    const bool has_on_stop = !suite.classes[user.class_index()].root.on_stop.empty();
    if (stop_timeout.count() == 0) {
      // Locust without --stop-timeout kills the user at once; its on_stop still runs.
      user.abort(/*kill=*/!has_on_stop);
      if (!has_on_stop) return;
    }
    auto limit = stop_timeout + (has_on_stop ? std::chrono::microseconds(kOnStopGrace)
                                             : std::chrono::microseconds(0));
    std::uint64_t id = user.id();
    auto& timer = kill_timers[id];
    timer = std::make_unique<asio::steady_timer>(io, limit);
    timer->async_wait([this, id](boost::system::error_code ec) {
      if (ec) return;
      if (auto it = users.find(id); it != users.end()) it->second->abort(/*kill=*/true);
    });
  }

  void stop_drivers() {
    for (auto& d : drivers) {
      d->stopped = true;
      d->free.clear();
      d->timer.cancel();
    }
  }

  // Starts a user of D's pool; it runs ITERATION (an intended start) right after its on_start.
  void add_pooled(ArrivalDriver& d, std::optional<core::Micros> iteration);

  void on_user_finished(std::uint64_t id) {
    if (auto it = users.find(id); it != users.end() && it->second->pooled()) {
      pooled[static_cast<std::size_t>(it->second->class_index())].fetch_sub(
          1, std::memory_order_relaxed);
    }
    users.erase(id);
    // A pending kill timer would keep io.run() going after the last user ended.
    if (auto it = kill_timers.find(id); it != kill_timers.end()) {
      it->second->cancel();
      kill_timers.erase(it);
    }
    live.fetch_sub(1, std::memory_order_relaxed);
    if (stopping_all && users.empty()) finish();
  }

  void finish() {
    if (finished) return;
    finished = true;
    flush();
    client.abort_all();
    ws_client.abort_all();
    work.reset();
  }
};

namespace {

asio::awaitable<void> run_user(Worker::Impl* impl, User* user) {
  co_await user->run();
  // Destroy the user outside its own coroutine's resumption.
  asio::post(impl->io, [impl, id = user->id()] { impl->on_user_finished(id); });
}

// Starts D's iterations on schedule: each on a free user, or a new one while the pool may grow;
// else it is dropped. Never waits for a user, so a slow target cannot slow the schedule.
asio::awaitable<void> run_schedule(Worker::Impl* impl, ArrivalDriver* d) {
  const ArrivalShare& share = d->share;
  std::size_t cursor = 0;
  int in_a_row = 0;  // starts since the last suspension
  for (std::uint64_t n = share.first; !d->stopped; n += share.stride) {
    const std::optional<std::int64_t> at = share.schedule->start_us(n, cursor);
    if (!at) break;
    const core::Micros due = share.start_us + *at;
    if (due > core::now_us()) {
      in_a_row = 0;
      d->timer.expires_at(asio::steady_timer::time_point(std::chrono::microseconds(due)));
      boost::system::error_code ec;
      co_await d->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (d->stopped) break;
    } else if (++in_a_row == 64) {
      // Catching up after a stall: let the users just handed iterations begin them.
      in_a_row = 0;
      co_await asio::post(impl->io, asio::use_awaitable);
      if (d->stopped) break;
    }
    if (!d->free.empty()) {
      User* user = d->free.back();
      d->free.pop_back();
      user->start_iteration(due);
      impl->shard.add_scheduled();
    } else if (d->created < share.max_pool) {
      impl->add_pooled(*d, due);
      impl->shard.add_scheduled();
    } else {
      impl->shard.add_dropped(1);
    }
  }
}

}  // namespace

void Worker::Impl::add_pooled(ArrivalDriver& d, std::optional<core::Micros> iteration) {
  const int cls = d.share.class_index;
  const auto id = d.share.first_user_id + static_cast<std::uint64_t>(d.created);
  ++d.created;
  live.fetch_add(1, std::memory_order_relaxed);
  pooled[static_cast<std::size_t>(cls)].fetch_add(1, std::memory_order_relaxed);
  auto user = std::make_unique<User>(env, suite.classes[static_cast<std::size_t>(cls)], cls, id,
                                     class_urls[static_cast<std::size_t>(cls)],
                                     d.share.seed ^ (id * 0x9E3779B97F4A7C15ULL));
  user->join_pool(&d);
  if (iteration) user->start_iteration(*iteration);
  User* raw = user.get();
  users.emplace(id, std::move(user));
  asio::co_spawn(io, run_user(this, raw), asio::detached);
}

Worker::Worker(const scenario::Suite& suite, std::vector<http::Url> class_urls,
               stats::Aggregator& aggregator, ExceptionLog& exceptions, bool verify_tls,
               TaskBudget* tasks, FeedCursors* feeds)
    : impl_(std::make_unique<Impl>(suite, std::move(class_urls), aggregator, exceptions, verify_tls,
                                   live_)) {
  impl_->env.tasks = tasks;
  impl_->env.feeds = feeds;
}

void Worker::set_sample_listener(stats::SampleListener listener) {
  impl_->shard.set_listener(std::move(listener));
}

void Worker::set_max_body_bytes(std::uint64_t bytes) { impl_->client.set_max_body_bytes(bytes); }

Worker::~Worker() {
  if (thread_.joinable()) {
    stop_all(std::chrono::microseconds(0));
    join();
  }
}

void Worker::start() {
  thread_ = std::thread([impl = impl_.get(), exited = &exited_] {
    try {
      impl->io.run();
    } catch (const std::exception& e) {
      fmt::print(stderr, "arrload: worker thread failed: {}\n", e.what());
    }
    {
      // Runs the flush requests posted before it closed, so every one of them completes.
      std::lock_guard lock(impl->flush_mutex);
      impl->closed = true;
    }
    impl->io.restart();
    impl->io.poll();
    exited->store(true, std::memory_order_release);
  });
}

void Worker::add_user(int class_index, std::uint64_t user_id, std::uint64_t seed) {
  live_.fetch_add(1, std::memory_order_relaxed);
  asio::post(impl_->io, [impl = impl_.get(), class_index, user_id, seed] {
    if (impl->stopping_all) {
      impl->live.fetch_sub(1, std::memory_order_relaxed);
      return;
    }
    const auto& cls = impl->suite.classes[static_cast<std::size_t>(class_index)];
    auto user = std::make_unique<User>(impl->env, cls, class_index, user_id,
                                       impl->class_urls[class_index], seed);
    User* raw = user.get();
    impl->users.emplace(user_id, std::move(user));
    asio::co_spawn(impl->io, run_user(impl, raw), asio::detached);
  });
}

void Worker::start_arrivals(ArrivalShare share) {
  asio::post(impl_->io, [impl = impl_.get(), share = std::move(share)]() mutable {
    if (impl->stopping_all) return;
    auto& d =
        impl->drivers.emplace_back(std::make_unique<ArrivalDriver>(impl->io, std::move(share)));
    for (int i = 0; i < d->share.pool; ++i) impl->add_pooled(*d, std::nullopt);
    asio::co_spawn(impl->io, run_schedule(impl, d.get()), asio::detached);
  });
}

std::size_t Worker::pooled_users(int class_index) const {
  return impl_->pooled[static_cast<std::size_t>(class_index)].load(std::memory_order_relaxed);
}

void Worker::stop_user(std::uint64_t user_id, std::chrono::microseconds stop_timeout) {
  asio::post(impl_->io, [impl = impl_.get(), user_id, stop_timeout] {
    if (auto it = impl->users.find(user_id); it != impl->users.end()) {
      impl->stop_one(*it->second, stop_timeout);
    }
  });
}

void Worker::stop_all(std::chrono::microseconds stop_timeout) {
  asio::post(impl_->io, [impl = impl_.get(), stop_timeout] {
    impl->stopping_all = true;
    impl->stop_drivers();
    if (impl->users.empty()) {
      impl->finish();
      return;
    }
    for (auto& [id, user] : impl->users) impl->stop_one(*user, stop_timeout);
  });
}

void Worker::kill_all() {
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->stopping_all = true;
    impl->stop_drivers();
    if (impl->users.empty()) impl->finish();
    for (auto& [id, user] : impl->users) user->abort(/*kill=*/true);
  });
}

void Worker::flush_then(std::function<void()> done) {
  std::unique_lock lock(impl_->flush_mutex);
  if (impl_->closed) {
    lock.unlock();
    done();  // its last shard was handed over when it finished
    return;
  }
  asio::post(impl_->io, [impl = impl_.get(), done = std::move(done)] {
    impl->flush();
    done();
  });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

bool Worker::join_for(std::chrono::milliseconds timeout) {
  if (!thread_.joinable()) return true;
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!exited_.load(std::memory_order_acquire) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (exited_.load(std::memory_order_acquire)) {
    thread_.join();
    return true;
  }
  thread_.detach();
  return false;
}

}  // namespace arrload::engine
