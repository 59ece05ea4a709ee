#pragma once
// One simulated user: runs its class's tasks, in Locust's order, on one worker thread.
//
// Lifetime: owned by its Worker; run() is spawned on the worker's io_context and the User must
// outlive it. Not thread-safe: every call happens on the worker's thread.
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/rng.h"
#include "engine/exception_log.h"
#include "http/client.h"
#include "scenario/model.h"
#include "stats/shard.h"

namespace arrload::engine {

// What all users of one worker thread share.
struct WorkerEnv {
  boost::asio::io_context& io;
  http::ClientContext& client;
  stats::Shard& shard;
  ExceptionLog& exceptions;
  const scenario::Suite& suite;
};

class User {
 public:
  User(WorkerEnv& env, const scenario::UserClass& cls, int class_index, std::uint64_t user_id,
       const http::Url& base, std::uint64_t seed);
  User(const User&) = delete;
  User& operator=(const User&) = delete;

  // Runs on_start, then tasks until stop() is called, then on_stop. Never throws.
  boost::asio::awaitable<void> run();

  // Asks the user to stop after its current task; a pending wait ends now.
  void stop();
  // Abandons the request in flight (it is not recorded); with KILL, on_stop is skipped too.
  void abort(bool kill);

  int class_index() const { return class_index_; }
  std::uint64_t id() const { return id_; }
  bool finished() const { return finished_; }

 private:
  enum class Outcome { kDone, kInterrupted, kStopped };
  boost::asio::awaitable<Outcome> run_group(const scenario::TaskGroup* group,
                                            scenario::WaitTime wait, bool is_root);
  boost::asio::awaitable<bool> run_requests(const std::vector<scenario::Request>* requests);
  boost::asio::awaitable<bool> run_request(const scenario::Request* request);
  boost::asio::awaitable<void> wait_seconds(double seconds);
  const scenario::Task& pick(const scenario::TaskGroup& group, std::size_t& next_index);
  // Records the exchange; returns false when the task must not go on.
  bool record(const scenario::Request& req, const http::Response& resp);
  // The name of a variable REQ needs that this user has not extracted yet; "" when none.
  std::string missing_variable(const scenario::Request& req);

  WorkerEnv& env_;
  const scenario::UserClass& cls_;
  int class_index_;
  std::uint64_t id_;
  core::Rng rng_;
  http::Session session_;
  boost::asio::steady_timer timer_;
  std::vector<std::string> vars_;
  scenario::RenderContext render_;
  bool stopping_ = false;
  bool killed_ = false;
  bool finished_ = false;
  // Reused per request so steady state does not allocate.
  std::string path_buf_;
  std::string body_buf_;
  std::vector<std::pair<std::string, std::string>> header_buf_;
  http::Response response_;
  std::string message_buf_;
  std::vector<int> slot_buf_;
};

}  // namespace arrload::engine
