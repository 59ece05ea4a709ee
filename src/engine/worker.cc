#include "engine/worker.h"

#include <mutex>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "engine/run_options.h"
#include "engine/user.h"
#include "http/client.h"
#include "stats/shard.h"
#include "ws/session.h"

namespace arrload::engine {

namespace asio = boost::asio;

namespace {}  // namespace

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

  void on_user_finished(std::uint64_t id) {
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

}  // namespace

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
