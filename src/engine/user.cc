#include "engine/user.h"

#include <algorithm>

#include <fmt/format.h>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/response_check.h"

namespace arrload::engine {

namespace asio = boost::asio;

User::User(WorkerEnv& env, const scenario::UserClass& cls, int class_index, std::uint64_t user_id,
           const http::Url& base, std::uint64_t seed)
    : env_(env),
      cls_(cls),
      class_index_(class_index),
      id_(user_id),
      rng_(seed),
      session_(env.client, base),
      timer_(env.io),
      vars_(env.suite.var_names.size()),
      extract_failed_(env.suite.var_names.size(), 0) {
  render_.rng = &rng_;
  render_.user_id = user_id;
  render_.vars = &vars_;
  if (cls.cookies) render_.cookies = &jar_reader_;
  if (cls.feeder >= 0)
    render_.feed = env.suite.feeders[static_cast<std::size_t>(cls.feeder)].table.get();
}

User::~User() = default;

void User::start_iteration(core::Micros intended_us) {
  iteration_ = intended_us;
  timer_.cancel();  // wakes the user waiting in run_pooled (on_start does not use the timer)
}

void User::stop() {
  stopping_ = true;
  timer_.cancel();
}

void User::abort(bool kill) {
  stopping_ = true;
  killed_ = killed_ || kill;
  timer_.cancel();
  session_.close();
  abort_ws();
}

asio::awaitable<void> User::run() {
  if (!take_row("did not start")) {
    finished_ = true;
    co_return;
  }
  // Each co_await is its own statement: g++ 12 mis-compiles some co_await inside conditions.
  const bool started = co_await run_requests(&cls_.root.on_start);
  if (started && pool_ != nullptr) {
    co_await run_pooled();
  } else if (started) {
    co_await run_group(&cls_.root, cls_.wait, /*is_root=*/true);
  }
  if (!killed_) co_await run_requests(&cls_.root.on_stop);
  session_.close();
  co_await ws_close(/*graceful=*/!killed_);
  finished_ = true;
}

asio::awaitable<void> User::run_pooled() {
  std::size_t next_index = 0;
  while (!stopping_) {
    if (!iteration_) {
      if (pool_ != nullptr) pool_->user_free(this);
      timer_.expires_at(asio::steady_timer::time_point::max());
      boost::system::error_code ec;
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;  // woken by start_iteration or stop
    }
    const core::Micros intended = *iteration_;
    iteration_.reset();
    const core::Micros started = core::now_us();
    slots_ = stats::Shard::Slots{
        static_cast<std::uint64_t>(started > intended ? started - intended : 0), 0, 0};
    const bool go_on = co_await run_leaf(&pick(cls_.root, next_index));
    slots_.reset();
    if (!go_on) break;
  }
}

asio::awaitable<bool> User::run_leaf(const scenario::Task* task) {
  if (env_.tasks != nullptr && !env_.tasks->take()) {
    stopping_ = true;  // -i: the run's tasks are all taken; this user ends (on_stop runs)
    co_return false;
  }
  co_await run_requests(&task->requests);
  if (env_.tasks != nullptr) env_.tasks->done();
  co_return true;
}

const scenario::Task& User::pick(const scenario::TaskGroup& group, std::size_t& next_index) {
  if (group.sequential) return group.tasks[next_index++ % group.tasks.size()];
  // Locust's @task(N) puts N copies in a list and picks uniformly: the same as a weighted pick.
  std::uint64_t total = 0;
  for (const auto& t : group.tasks) total += static_cast<std::uint64_t>(t.weight);
  std::uint64_t r = rng_() % total;
  for (const auto& t : group.tasks) {
    if (r < static_cast<std::uint64_t>(t.weight)) return t;
    r -= static_cast<std::uint64_t>(t.weight);
  }
  return group.tasks.back();
}

asio::awaitable<User::Outcome> User::run_group(const scenario::TaskGroup* group,
                                               scenario::WaitTime wait, bool is_root) {
  if (group->wait) wait = *group->wait;
  if (!is_root) {
    const bool entered = co_await run_requests(&group->on_start);
    if (!entered) co_return Outcome::kStopped;
  }
  std::size_t next_index = 0;
  Outcome outcome = Outcome::kStopped;
  // constant_pacing and constant_throughput give every task an intended start, one period after
  // the previous one's: the next slot (0 until the first task, which is on time by definition).
  const std::uint64_t period_us = pacing_period_us(wait);
  core::Micros slot = 0;
  while (!stopping_ && !group->tasks.empty()) {
    const scenario::Task& task = pick(*group, next_index);
    const core::Micros started = core::now_us();
    const std::uint64_t io_before = io_ops_;
    if (task.kind == scenario::Task::Kind::kInterrupt && !is_root) {
      outcome = Outcome::kInterrupted;
      break;
    }
    bool rescheduled = false;
    if (task.kind == scenario::Task::Kind::kGroup) {
      // Locust's interrupt(reschedule=True): the parent picks its next task without waiting.
      const Outcome inner = co_await run_group(task.group.get(), wait, false);
      rescheduled = inner == Outcome::kInterrupted;
      slot = 0;  // time spent in a task set is not this schedule's: start it again
    } else if (task.kind != scenario::Task::Kind::kInterrupt) {  // a root interrupt: the loader
      if (!take_task_row()) break;                               // rejects it; only a guard
      if (period_us > 0) slot = take_slot(slot, started, period_us);
      const bool go_on = co_await run_leaf(&task);
      slots_.reset();
      if (!go_on) break;
    }
    if (stopping_) break;
    const core::Micros ended = core::now_us();
    const double task_seconds = static_cast<double>(ended - started) / 1e6;
    double pause = rescheduled ? 0 : wait.seconds_after(task_seconds, rng_.uniform());
    if (period_us > 0 && slot != 0 && !rescheduled) {
      // Wait for the next slot itself, so timer lateness does not add up over the run.
      pause = slot > ended ? static_cast<double>(slot - ended) / 1e6 : 0;
    }
    if (io_ops_ == io_before) {
      // Nothing suspended this iteration: without a pause the thread would never get back to
      // its event loop, and stop, signals and every other user on it would wait forever.
      pause = std::max(pause, idle_backoff_seconds());
    } else {
      idle_streak_ = 0;
    }
    co_await wait_seconds(pause);
  }
  if (!is_root && !killed_) co_await run_requests(&group->on_stop);
  co_return outcome;
}

std::uint64_t User::pacing_period_us(const scenario::WaitTime& wait) {
  using Kind = scenario::WaitTime::Kind;
  if (wait.kind == Kind::kConstantPacing && wait.a > 0) {
    return static_cast<std::uint64_t>(wait.a * 1e6);
  }
  if (wait.kind == Kind::kConstantThroughput && wait.a > 0) {
    return static_cast<std::uint64_t>(1e6 / wait.a);
  }
  return 0;
}

core::Micros User::take_slot(core::Micros slot, core::Micros started, std::uint64_t period_us) {
  if (slot == 0) slot = started;
  const std::uint64_t late = started > slot ? static_cast<std::uint64_t>(started - slot) : 0;
  // Slots that passed while the previous task ran: this task takes the first of them, the
  // others were missed (a closed user does not catch up). Bounded, so a pathological pacing
  // cannot make one request record millions of samples.
  const std::uint64_t missed = std::min<std::uint64_t>(late / period_us, kMaxMissedSlots);
  slots_ = stats::Shard::Slots{late, missed, period_us};
  return slot + static_cast<core::Micros>((missed + 1) * period_us);
}

double User::idle_backoff_seconds() {
  constexpr int kMaxShift = 10;  // 1 ms << 10 = 1.024 s
  const int shift = std::min(idle_streak_, kMaxShift);
  ++idle_streak_;
  return std::min(1.0, 0.001 * static_cast<double>(1 << shift));
}

asio::awaitable<void> User::wait_seconds(double seconds) {
  if (seconds <= 0 || stopping_) co_return;
  timer_.expires_after(std::chrono::microseconds(static_cast<std::int64_t>(seconds * 1e6)));
  boost::system::error_code ec;
  co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<bool> User::run_requests(const std::vector<scenario::Request>* requests) {
  for (const scenario::Request& req : *requests) {
    if (killed_) co_return false;
    const bool go_on = co_await run_request(&req);
    if (!go_on) co_return false;
  }
  co_return true;
}

std::string User::missing_variable(const scenario::Request& req, bool& in_path) {
  slot_buf_.clear();
  req.path.collect_var_slots(slot_buf_);
  const std::size_t path_slots = slot_buf_.size();
  for (const auto& h : req.headers) h.second.collect_var_slots(slot_buf_);
  for (const auto& c : req.set_cookies) c.second.collect_var_slots(slot_buf_);
  if (req.body) req.body->collect_var_slots(slot_buf_);
  for (std::size_t i = 0; i < slot_buf_.size(); ++i) {
    const auto slot = static_cast<std::size_t>(slot_buf_[i]);
    if (vars_[slot].empty()) {
      in_path = i < path_slots;
      return env_.suite.var_names[slot];
    }
  }
  return {};
}

void User::record_unsent(const scenario::Request& req, std::string_view name,
                         std::string_view message) {
  env_.shard.record(req.ws ? std::string_view("WS") : std::string_view(req.method), name, 0, 0,
                    /*failed=*/true, message, req.category);
}

asio::awaitable<bool> User::run_request(const scenario::Request* req) {
  bool in_path = false;
  if (std::string missing = missing_variable(*req, in_path); !missing.empty()) {
    // Locust would raise in the task (a KeyError). The request counts as failed without being
    // sent, under its usual name, so error budgets and failures.csv show it; the task ends.
    const std::size_t slot = static_cast<std::size_t>(
        std::find(env_.suite.var_names.begin(), env_.suite.var_names.end(), missing) -
        env_.suite.var_names.begin());
    const bool failed_before = slot < extract_failed_.size() && extract_failed_[slot] != 0;
    std::string name = req->name;
    if (name.empty() && !in_path) {
      render_target(*req);
      name = path_buf_;
    } else if (name.empty()) {
      name = req->path.source();
    }
    record_unsent(
        *req, name,
        fmt::format("template variable '{}' is not set ({}); the request was not sent", missing,
                    failed_before ? "its extract failed" : "no earlier step extracted it"));
    co_return false;
  }
  ++render_.counter;
  if (req->ws) {
    const bool go_on = co_await run_ws_step(req);
    co_return go_on;
  }
  if (!req->set_cookies.empty()) set_cookies(*req);
  render_target(*req);
  body_buf_.clear();
  if (req->body) req->body->render(render_, body_buf_);

  http::Request out;
  out.method = req->method;
  out.target = path_buf_;
  out.headers = &header_buf_;
  out.body = body_buf_;
  out.content_type = req->content_type;
  out.timeout_us = req->timeout.value_or(env_.suite.default_timeout).count();
  out.keep_body = req->needs_body();
  out.max_redirects = req->max_redirects;
  out.cookies = cls_.cookies ? &cookies_ : nullptr;
  out.capture_headers = req->response_headers.empty() ? nullptr : &req->response_headers;
  ++io_ops_;
  co_await session_.send(out, response_);
  co_return record(*req, response_);
}

void User::render_target(const scenario::Request& req) {
  path_buf_.clear();
  req.path.render(render_, path_buf_);
  header_buf_.resize(req.headers.size());
  for (std::size_t i = 0; i < req.headers.size(); ++i) {
    header_buf_[i].first = req.headers[i].first;
    header_buf_[i].second.clear();
    req.headers[i].second.render(render_, header_buf_[i].second);
  }
}

bool User::take_task_row() {
  const bool refresh = cls_.feeder >= 0 && ran_a_task_ &&
                       env_.suite.feeders[static_cast<std::size_t>(cls_.feeder)].refresh ==
                           scenario::Feeder::Refresh::kTask;
  ran_a_task_ = true;
  // Before the -i budget is asked: a task that took a budget slot must run and end.
  if (!refresh || take_row("stopped before its next task")) return true;
  stopping_ = true;  // on_stop runs, with the row the user holds
  return false;
}

bool User::take_row(std::string_view consequence) {
  if (cls_.feeder < 0) return true;
  const std::optional<std::size_t> row = env_.feeds->take(cls_.feeder, rng_);
  if (!row) {
    env_.exceptions.add(env_.feeds->exhausted_message(cls_, consequence));
    return false;
  }
  render_.row = *row;
  return true;
}

void User::set_cookies(const scenario::Request& req) {
  if (!cls_.cookies) return;
  for (const auto& [name, value] : req.set_cookies) {
    message_buf_.clear();
    value.render(render_, message_buf_);
    cookies_.set(name, message_buf_, session_.base().host);
  }
}

bool User::record(const scenario::Request& req, const http::Response& resp) {
  if (resp.error == core::NetError::kAborted && stopping_) return false;  // stopped mid-flight
  const std::string& name = req.name.empty() ? path_buf_ : req.name;
  bool failed = check_response(req, resp, path_buf_, message_buf_);
  if (!failed) failed = check_headers(req, resp.headers, message_buf_);
  if (!failed) failed = check_body(req, resp.body, rng_, message_buf_);
  if (!failed) failed = check_text(req, resp.body, message_buf_);
  if (!failed) {
    for (const auto& x : req.extract) {
      auto value = extract_value(x, resp, rng_, message_buf_);
      if (!value) {
        failed = true;
        break;
      }
      vars_[static_cast<std::size_t>(x.slot)] = std::move(*value);
      extract_failed_[static_cast<std::size_t>(x.slot)] = 0;
    }
  }
  if (failed) {
    // The variables this request extracts are not fresh: a later request needing one that was
    // never set names the cause.
    for (const auto& x : req.extract) extract_failed_[static_cast<std::size_t>(x.slot)] = 1;
  }
  const stats::Shard::Transfer transfer{resp.wire_bytes,
                                        static_cast<std::uint64_t>(std::max(0, resp.redirects))};
  if (slots_) {
    env_.shard.record_scheduled(req.method, name, static_cast<std::uint64_t>(resp.latency_us),
                                *slots_, resp.body_bytes, failed, message_buf_, req.category,
                                &transfer);
  } else {
    env_.shard.record(req.method, name, static_cast<std::uint64_t>(resp.latency_us),
                      resp.body_bytes, failed, message_buf_, req.category, &transfer);
  }
  return true;  // like Locust, a failed request does not end its task
}

}  // namespace arrload::engine
