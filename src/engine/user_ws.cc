// The WebSocket steps of a User: connect, send (with an awaited reply), listen, close, and the
// reader that records the messages nobody awaits.
#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/user.h"
#include "engine/ws_message.h"

namespace arrload::engine {

namespace asio = boost::asio;
using scenario::WsStep;

namespace {
constexpr std::string_view kMethod = "WS";
// How long a graceful close may take at the end of a user or before a reconnect.
constexpr core::Micros kCloseTimeoutUs = 2'000'000;
}  // namespace

bool User::ws_connected() const { return ws_ && ws_->reading && ws_->session.is_open(); }

void User::abort_ws() {
  if (ws_) ws_->session.abort();
}

asio::awaitable<bool> User::run_ws_step(const scenario::Request* req) {
  if (!ws_) ws_ = std::make_unique<WsState>(env_.io, env_.ws_client, session_.base());
  const WsStep::Kind kind = req->ws->kind;
  if (kind == WsStep::Kind::kConnect) {
    const bool go_on = co_await ws_connect(req);
    co_return go_on;
  }
  if (kind == WsStep::Kind::kSend) {
    const bool go_on = co_await ws_send(req);
    co_return go_on;
  }
  if (kind == WsStep::Kind::kListen) {
    if (ws_->connect_step == nullptr) {
      ws_->step_category = req->category;
      no_connection(req, "listen");
      co_return false;
    }
    // The reader records what arrives meanwhile; stop() ends the wait.
    ++io_ops_;
    co_await wait_seconds(static_cast<double>(req->ws->listen.count()) / 1e6);
    co_return !killed_;
  }
  co_await ws_close(/*graceful=*/true);
  co_return true;
}

// A send or listen step with no connect step before it: an error in the scenario's logic. It is
// recorded as a failed step (the task ends), so it shows in failures and error budgets.
void User::no_connection(const scenario::Request* req, std::string_view what) {
  const std::string name = !req->name.empty() ? req->name : fmt::format("ws {}", what);
  message_buf_ =
      fmt::format("ws {} without a ws connect step before it (user class {})", what, cls_.name);
  env_.shard.record(kMethod, name, 0, 0, /*failed=*/true, message_buf_, req->category);
}

// A failure is recorded with its reason; a success with FAILURE null.
void User::record_ws(std::string_view name, core::Micros latency_us, std::uint64_t bytes,
                     const ws::Result* failure, std::string_view what) {
  if (failure != nullptr) {
    // "WebSocket connect failed (ConnectionRefusedError): Connection refused"
    std::string_view kind = core::to_string(failure->error);
    kind = kind.substr(0, kind.find(':'));
    message_buf_ = fmt::format("{} ({}): {}", what, kind, failure->error_detail);
  }
  env_.shard.record(kMethod, name,
                    static_cast<std::uint64_t>(std::max<core::Micros>(latency_us, 0)), bytes,
                    failure != nullptr, message_buf_, ws_->step_category);
}

asio::awaitable<bool> User::ws_connect(const scenario::Request* req) {
  WsState& w = *ws_;
  if (w.reading || w.session.is_open()) co_await ws_close(/*graceful=*/true);
  if (killed_) co_return false;
  w.connect_step = req;
  w.step_category = req->category;
  render_target(*req);
  w.base_name = req->name.empty() ? path_buf_ : req->name;
  const core::Micros start = core::now_us();
  const core::Micros deadline = start + req->timeout.value_or(env_.suite.default_timeout).count();
  ws::ConnectRequest c;
  c.target = path_buf_;
  c.headers = &header_buf_;
  c.deadline_us = deadline;
  ws::Result res;
  ++io_ops_;
  co_await w.session.connect(c, res);
  if (res.error != core::NetError::kNone) {
    if (res.error == core::NetError::kAborted && stopping_) co_return false;
    record_ws(w.base_name, core::now_us() - start, 0, &res, "WebSocket connect failed");
    co_return true;
  }
  // Set before the reader starts: the awaited message may come with the handshake's bytes.
  w.awaited = req->ws->await_type;
  w.arrived = false;
  w.ended = ws::Result{};
  w.reading = true;
  asio::co_spawn(env_.io, ws_read_loop(this), asio::detached);
  if (req->ws->await_type.empty()) {
    record_ws(w.base_name, core::now_us() - start, 0, nullptr, "");
    co_return true;
  }
  const bool arrived = co_await ws_await(deadline);
  if (arrived) {
    record_ws(w.base_name, w.arrived_at - start, w.arrived_bytes, nullptr, "");
    co_return true;
  }
  if (w.ended.error == core::NetError::kAborted && stopping_) co_return false;
  record_ws(w.base_name, core::now_us() - start, 0, &w.ended,
            fmt::format("no '{}' message after connecting", req->ws->await_type));
  co_return true;
}

asio::awaitable<bool> User::ws_send(const scenario::Request* req) {
  WsState& w = *ws_;
  w.step_category = req->category;
  if (w.connect_step == nullptr) {
    no_connection(req, "send");
    co_return false;
  }
  if (!ws_connected()) {
    // The server closed the connection (or a timeout did): reconnect as the last connect did.
    const bool go_on = co_await ws_connect(w.connect_step);
    w.step_category = req->category;
    if (!go_on) co_return false;
  }
  const std::string& await = req->ws->await_type;
  if (!req->name.empty()) {
    w.step_name = req->name;
  } else {
    w.step_name = fmt::format("{} {}", w.base_name, await.empty() ? "send" : await);
  }
  if (!ws_connected()) {
    ws::Result not_open{core::NetError::kConnectionReset, 0, "not connected (reconnecting failed)"};
    record_ws(w.step_name, 0, 0, &not_open, "WebSocket send failed");
    co_return true;
  }
  body_buf_.clear();
  if (req->body) req->body->render(render_, body_buf_);
  w.awaited = await;
  w.arrived = false;
  const core::Micros start = core::now_us();
  const core::Micros deadline = start + req->timeout.value_or(env_.suite.default_timeout).count();
  ws::Result res;
  ++io_ops_;
  co_await w.session.write_text(body_buf_, deadline, res);
  if (res.error != core::NetError::kNone) {
    w.awaited.clear();
    if (res.error == core::NetError::kAborted && stopping_) co_return false;
    record_ws(w.step_name, core::now_us() - start, 0, &res, "WebSocket send failed");
    co_return true;
  }
  if (await.empty()) {
    record_ws(w.step_name, core::now_us() - start, 0, nullptr, "");
    co_return true;
  }
  const bool arrived = co_await ws_await(deadline);
  if (arrived) {
    record_ws(w.step_name, w.arrived_at - start, w.arrived_bytes, nullptr, "");
    co_return true;
  }
  if (w.ended.error == core::NetError::kAborted && stopping_) co_return false;
  record_ws(w.step_name, core::now_us() - start, 0, &w.ended, fmt::format("no '{}' reply", await));
  co_return true;
}

asio::awaitable<bool> User::ws_await(core::Micros deadline_us) {
  WsState& w = *ws_;
  w.session.watch(deadline_us);
  while (!w.arrived && w.reading) {
    co_await ws_wait_signal();
  }
  w.session.unwatch();
  w.awaited.clear();
  co_return w.arrived;
}

asio::awaitable<void> User::ws_close(bool graceful) {
  if (!ws_) co_return;
  WsState& w = *ws_;
  if (w.session.is_open()) ++io_ops_;
  if (graceful && w.session.is_open()) {
    co_await w.session.close(core::now_us() + kCloseTimeoutUs);
  } else {
    w.session.abort();
  }
  while (w.reading) {
    co_await ws_wait_signal();
  }
}

asio::awaitable<void> User::ws_wait_signal() {
  ws_->signal.expires_at(asio::steady_timer::time_point::max());
  boost::system::error_code ec;
  co_await ws_->signal.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

// Owns reading for one connection. SELF outlives it: run() waits for it to end (ws_close)
// before it returns.
asio::awaitable<void> User::ws_read_loop(User* self) {
  WsState& w = *self->ws_;
  ws::Result res;
  for (;;) {
    co_await w.session.read_message(w.message, res);
    if (res.error != core::NetError::kNone) break;
    self->on_ws_message(res.bytes);
  }
  w.ended = res;
  w.reading = false;
  // A connection that ends without a close frame (the peer vanished, a reset, a frame Beast
  // rejects) while no step awaits a message would leave no trace: the next send just reconnects.
  // (A timeout here is our own close() that got no answer.)
  if (w.awaited.empty() && !res.close_frame && res.error != core::NetError::kAborted &&
      res.error != core::NetError::kTimeout && !self->stopping_) {
    self->record_ws(w.base_name, 0, 0, &res, "WebSocket connection lost");
  }
  w.signal.cancel();
}

void User::on_ws_message(std::uint64_t bytes) {
  WsState& w = *ws_;
  const core::Micros at = core::now_us();
  const WsMessageInfo info = inspect_ws_message(w.message);
  if (!w.awaited.empty() && !w.arrived && info.type == w.awaited) {
    w.arrived = true;
    w.arrived_at = at;
    w.arrived_bytes = bytes;
    w.signal.cancel();
    return;
  }
  ws_message_name(w.base_name, info, w.name_buf);
  env_.shard.record(
      kMethod, w.name_buf,
      // Only events are pushed as they happen; other messages (a log stream's backlog of old
      // entries, pings) carry timestamps that say nothing about delivery.
      static_cast<std::uint64_t>(
          info.type == "event" ? delivery_latency_us(info.timestamp_us, wall_unix_us()) : 0),
      bytes, false, {},
      w.connect_step != nullptr ? std::string_view(w.connect_step->category) : "");
}

}  // namespace arrload::engine
