#pragma once
// One simulated user: runs its class's tasks, in Locust's order, on one worker thread.
//
// Lifetime: owned by its Worker; run() is spawned on the worker's io_context and the User must
// outlive it. Not thread-safe: every call happens on the worker's thread.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/rng.h"
#include "engine/exception_log.h"
#include "engine/task_budget.h"
#include "http/client.h"
#include "scenario/model.h"
#include "stats/shard.h"
#include "ws/session.h"

namespace arrload::engine {

// What all users of one worker thread share.
class User;

// Where an arrival-rate class's users wait for iterations (the worker's scheduler for that class
// on this thread): a user that finished on_start or an iteration offers itself.
class IterationPool {
 public:
  virtual ~IterationPool() = default;
  virtual void user_free(User* user) = 0;
};

struct WorkerEnv {
  boost::asio::io_context& io;
  http::ClientContext& client;
  ws::Context& ws_client;
  stats::Shard& shard;
  ExceptionLog& exceptions;
  const scenario::Suite& suite;
  TaskBudget* tasks = nullptr;  // -i/--iterations, shared by the run's users; null: no limit
};

class User {
 public:
  User(WorkerEnv& env, const scenario::UserClass& cls, int class_index, std::uint64_t user_id,
       const http::Url& base, std::uint64_t seed);
  ~User();
  User(const User&) = delete;
  User& operator=(const User&) = delete;

  // Runs on_start, then tasks until stop() is called, then on_stop, then closes its WebSocket
  // connection and waits for its reader to end. Never throws.
  boost::asio::awaitable<void> run();

  // Makes this user one of an arrival-rate class's pool (before run()): instead of looping over
  // its tasks, it runs one task per start_iteration(), offering itself to POOL whenever it is
  // free. POOL must outlive the user.
  void join_pool(IterationPool* pool) { pool_ = pool; }
  bool pooled() const { return pool_ != nullptr; }
  // Runs one iteration that was meant to start at INTENDED_US (core::now_us() clock), as soon as
  // the user is free: now, when it is waiting (or still in on_start). REQUIRES: pooled, and not
  // already holding an iteration.
  void start_iteration(core::Micros intended_us);

  // Asks the user to stop after its current task; a pending wait (or ws listen) ends now.
  void stop();
  // Abandons the request in flight (it is not recorded) and closes the connections; with KILL,
  // on_stop is skipped too.
  void abort(bool kill);

  int class_index() const { return class_index_; }
  std::uint64_t id() const { return id_; }
  bool finished() const { return finished_; }

 private:
  enum class Outcome { kDone, kInterrupted, kStopped };
  // A pooled user's life after on_start: one task per iteration handed to it.
  boost::asio::awaitable<void> run_pooled();
  // Runs TASK (a leaf task) under -i's budget; false when the budget is spent (the user stops).
  boost::asio::awaitable<bool> run_leaf(const scenario::Task* task);
  boost::asio::awaitable<Outcome> run_group(const scenario::TaskGroup* group,
                                            scenario::WaitTime wait, bool is_root);
  boost::asio::awaitable<bool> run_requests(const std::vector<scenario::Request>* requests);
  boost::asio::awaitable<bool> run_request(const scenario::Request* request);
  boost::asio::awaitable<void> wait_seconds(double seconds);
  const scenario::Task& pick(const scenario::TaskGroup& group, std::size_t& next_index);
  // Records the exchange; returns false when the task must not go on.
  bool record(const scenario::Request& req, const http::Response& resp);
  // The name of a variable REQ needs that this user has not extracted yet; "" when none. Sets
  // IN_PATH when that variable is in the request's path.
  std::string missing_variable(const scenario::Request& req, bool& in_path);
  // Records REQ as a failed request that was never sent (latency 0), with MESSAGE.
  void record_unsent(const scenario::Request& req, std::string_view name, std::string_view message);
  // After an iteration that did no I/O: how long to pause before the next one. Doubles from
  // 1 ms up to 1 s while such iterations follow each other, so a user whose every task fails
  // before sending (a login that failed, a missing connection) neither spins nor floods stats.
  double idle_backoff_seconds();
  // The period of WAIT's schedule (constant_pacing, constant_throughput) in µs; 0: none.
  static std::uint64_t pacing_period_us(const scenario::WaitTime& wait);
  // A paced task starts at STARTED, its slot being SLOT (0: the first task): sets slots_ for
  // its requests and returns the next task's slot.
  core::Micros take_slot(core::Micros slot, core::Micros started, std::uint64_t period_us);
  static constexpr std::uint64_t kMaxMissedSlots = 100'000;
  // Renders REQ's path into path_buf_ and its headers into header_buf_.
  void render_target(const scenario::Request& req);
  // Puts REQ's set_cookies into the jar (when the class keeps cookies).
  void set_cookies(const scenario::Request& req);

  // WebSocket steps (user_ws.cc). The user holds at most one connection; while it is open a
  // reader coroutine (ws_read_loop) owns reading: it hands the message a step awaits to that
  // step and records every other one as a sample of its own. WsState is what the reader and the
  // steps share; only the worker's thread touches it.
  struct WsState {
    WsState(boost::asio::io_context& io, ws::Context& ctx, const http::Url& base)
        : session(ctx, base), signal(io) {}

    ws::Session session;
    // Never expires: the reader cancels it to wake the step waiting for a message or for its end.
    boost::asio::steady_timer signal;
    const scenario::Request* connect_step = nullptr;  // the last connect step, for reconnecting
    std::string base_name;      // the connect step's name or rendered path; prefixes sample names
    std::string step_category;  // the budget category of the step being recorded
    bool reading = false;       // the reader coroutine is running
    ws::Result ended;           // why the reader ended
    // The message type a step waits for ("" = none), and what arrived for it.
    std::string awaited;
    bool arrived = false;
    core::Micros arrived_at = 0;
    std::uint64_t arrived_bytes = 0;
    std::string message;    // the reader's buffer
    std::string name_buf;   // the reader's sample names
    std::string step_name;  // the current send step's sample name
  };
  boost::asio::awaitable<bool> run_ws_step(const scenario::Request* req);
  boost::asio::awaitable<bool> ws_connect(const scenario::Request* req);
  boost::asio::awaitable<bool> ws_send(const scenario::Request* req);
  // Waits until the awaited message arrives or the reader ends; true when it arrived.
  boost::asio::awaitable<bool> ws_await(core::Micros deadline_us);
  // Closes the connection (with a close frame when GRACEFUL) and waits for the reader to end.
  boost::asio::awaitable<void> ws_close(bool graceful);
  boost::asio::awaitable<void> ws_wait_signal();
  static boost::asio::awaitable<void> ws_read_loop(User* self);
  void on_ws_message(std::uint64_t bytes);
  void abort_ws();
  void no_connection(const scenario::Request* req, std::string_view what);
  bool ws_connected() const;
  void record_ws(std::string_view name, core::Micros latency_us, std::uint64_t bytes,
                 const ws::Result* failure, std::string_view what);

  WorkerEnv& env_;
  const scenario::UserClass& cls_;
  int class_index_;
  std::uint64_t id_;
  core::Rng rng_;
  http::Session session_;
  http::CookieJar cookies_;  // used unless the class says cookies: false
  // {{ cookie(NAME) }} reads cookies_ through this.
  struct JarReader : scenario::CookieReader {
    explicit JarReader(const http::CookieJar& j) : jar(j) {}
    const std::string* cookie(std::string_view name) const override { return jar.find(name); }
    const http::CookieJar& jar;
  };
  JarReader jar_reader_{cookies_};
  boost::asio::steady_timer timer_;
  std::vector<std::string> vars_;
  scenario::RenderContext render_;
  bool stopping_ = false;
  bool killed_ = false;
  // Requests sent and WebSocket operations started: an iteration that leaves it unchanged ended
  // without I/O, and must still give the thread back to its event loop.
  std::uint64_t io_ops_ = 0;
  int idle_streak_ = 0;               // iterations without I/O in a row
  std::vector<char> extract_failed_;  // per variable slot: its last extraction failed
  bool finished_ = false;
  // Reused per request so steady state does not allocate.
  std::string path_buf_;
  std::string body_buf_;
  std::vector<std::pair<std::string, std::string>> header_buf_;
  http::Response response_;
  std::string message_buf_;
  std::vector<int> slot_buf_;
  std::unique_ptr<WsState> ws_;  // created by the first ws step
  // The schedule of the task running now (pacing, or an arrival-rate iteration): how late it
  // started and which intended starts it missed; its requests are recorded with it. Unset: the
  // task had no schedule.
  std::optional<stats::Shard::Slots> slots_;
  IterationPool* pool_ = nullptr;          // set for an arrival-rate class's user
  std::optional<core::Micros> iteration_;  // the intended start of the iteration handed over
};

}  // namespace arrload::engine
