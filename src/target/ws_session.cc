#include "target/ws_session.h"

#include <cctype>
#include <chrono>
#include <deque>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "core/strings.h"
#include "target/connection.h"

#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // see connection.cc

namespace arrload::target {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kQueueLimit = 100;        // messages waiting per client
constexpr std::size_t kMaxMessage = 64 * 1024;  // bytes of one received message
constexpr std::size_t kBacklog = 50;            // log entries sent on connecting

constexpr std::string_view kEventsPath = "/api/v1/ws";
constexpr std::string_view kLogsPath = "/api/v1/logs/stream";

enum class Endpoint { kEvents, kLogs };

std::shared_ptr<const WsMessage> text_message(std::string text) {
  auto m = std::make_shared<WsMessage>();
  m->text = std::move(text);
  return m;
}

// One WebSocket client. The stream, the queue and the filters belong to the client's thread
// (its io_context); other threads reach it only through deliver() and close_going_away(),
// which post there.
class Peer final : public WsClient, public std::enable_shared_from_this<Peer> {
 public:
  Peer(tcp::socket socket, Endpoint endpoint, const ConnectionContext* ctx)
      : stream(std::move(socket)), wake(stream.get_executor()), endpoint(endpoint), ctx(ctx) {}

  void deliver(std::shared_ptr<const WsMessage> message) override {
    asio::post(stream.get_executor(),
               [self = shared_from_this(), m = std::move(message)] { self->enqueue(m); });
  }

  void close_going_away() override {
    asio::post(stream.get_executor(), [self = shared_from_this()] {
      self->closing = true;
      self->wake.cancel();
    });
  }

  // On the client's thread: queues MESSAGE for the writer unless a filter drops it.
  void enqueue(const std::shared_ptr<const WsMessage>& message) {
    if (done) return;
    if (message->log_seq != 0 && !passes(*message)) return;
    queue.push_back(message);
    if (queue.size() > kQueueLimit) {
      queue.pop_front();
      ++ctx->counters.websocket_dropped_messages;
    }
    wake.cancel();
  }
  void send(std::string text) { enqueue(text_message(std::move(text))); }

  bool passes(const WsMessage& m) const {
    if (m.log_seq <= backlog_seq) return false;  // already sent in the backlog
    if (m.level_rank < min_level) return false;
    return search.empty() || core::to_lower(m.log_message).find(search) != std::string::npos;
  }

  websocket::stream<tcp::socket> stream;
  asio::steady_timer wake;  // the writer waits on it; cancel() wakes it
  const Endpoint endpoint;
  const ConnectionContext* ctx;
  std::deque<std::shared_ptr<const WsMessage>> queue;
  bool done = false;     // the reader has ended: the writer stops
  bool closing = false;  // the server is stopping: the writer sends a close frame
  // Logs stream only.
  std::uint64_t backlog_seq = 0;  // entries up to this one were in the backlog
  int min_level = 0;              // log_level_rank of set_level; 0 = any
  std::string level_name;         // as set, upper case; "" = none
  std::string search;             // lower case; "" = none
  std::string search_as_set;
};

// Counts the connection as a WebSocket one for as long as the session runs.
class OpenWebSocket {
 public:
  explicit OpenWebSocket(Counters& c) : c_(c) { ++c_.websocket_connections; }
  ~OpenWebSocket() { --c_.websocket_connections; }
  OpenWebSocket(const OpenWebSocket&) = delete;
  OpenWebSocket& operator=(const OpenWebSocket&) = delete;

 private:
  Counters& c_;
};

// Membership of a hub, left however the session ends (even when its frame is destroyed).
class Membership {
 public:
  Membership(Hub& hub, const WsClient* client) : hub_(hub), client_(client) {}
  ~Membership() { hub_.remove(client_); }
  Membership(const Membership&) = delete;
  Membership& operator=(const Membership&) = delete;

 private:
  Hub& hub_;
  const WsClient* client_;
};

// Sends the queue, one frame at a time; on the logs stream a ping after ws_ping_s of silence.
asio::awaitable<void> write_loop(std::shared_ptr<Peer> peer) {
  const bool pings = peer->endpoint == Endpoint::kLogs && peer->ctx->ws_ping_s > 0;
  const auto ping_after = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(peer->ctx->ws_ping_s));
  for (;;) {
    if (peer->done) break;
    if (peer->closing) {
      [[maybe_unused]] auto [ec] =
          co_await peer->stream.async_close(websocket::close_code::going_away, kNoThrow);
      break;
    }
    if (peer->queue.empty()) {
      if (pings) {
        peer->wake.expires_after(ping_after);
      } else {
        peer->wake.expires_at(Clock::time_point::max());
      }
      auto [ec] = co_await peer->wake.async_wait(kNoThrow);
      if (!ec && pings && peer->queue.empty() && !peer->done && !peer->closing) {
        peer->send(R"({"type":"ping"})");
      }
      continue;
    }
    std::shared_ptr<const WsMessage> message = std::move(peer->queue.front());
    peer->queue.pop_front();
    auto [ec, n] = co_await peer->stream.async_write(asio::buffer(message->text), kNoThrow);
    if (ec) {  // the client is gone: end the reader too
      error_code ignored;
      peer->stream.next_layer().close(ignored);
      break;
    }
  }
}

std::string filters_reply(const Peer& peer) {
  json::object filters{
      {"level", peer.level_name.empty() ? json::value(nullptr) : json::value(peer.level_name)},
      {"search",
       peer.search_as_set.empty() ? json::value(nullptr) : json::value(peer.search_as_set)}};
  return to_json(json::object{{"type", "filters_updated"}, {"filters", std::move(filters)}});
}

std::string error_reply(std::string_view message) {
  return to_json(json::object{{"type", "error"}, {"message", message}});
}

// The answer to one control message of the logs stream; updates PEER's filters.
std::string control_reply(Peer& peer, std::string_view text) {
  error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return error_reply("Invalid JSON message");
  const json::object& obj = v.get_object();
  const json::value* type = obj.if_contains("type");
  if (type == nullptr || !type->is_string()) return error_reply("Missing message type");
  const std::string_view kind = type->get_string();
  if (kind == "set_level") {
    const json::value* level = obj.if_contains("level");
    const int rank =
        level != nullptr && level->is_string() ? log_level_rank(level->get_string()) : 0;
    if (rank == 0) return error_reply("Invalid log level");
    peer.min_level = rank;
    peer.level_name = std::string(level->get_string());
    for (char& c : peer.level_name)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return filters_reply(peer);
  }
  if (kind == "set_search") {
    const json::value* search = obj.if_contains("search");
    if (search == nullptr || !search->is_string()) return error_reply("Invalid search");
    peer.search_as_set = std::string(search->get_string());
    peer.search = core::to_lower(peer.search_as_set);
    return filters_reply(peer);
  }
  if (kind == "clear_filters") {
    peer.min_level = 0;
    peer.level_name.clear();
    peer.search.clear();
    peer.search_as_set.clear();
    return filters_reply(peer);
  }
  if (kind == "ping") return R"({"type":"pong"})";
  return error_reply(fmt::format("Unknown message type: {}", kind));
}

// What a new client gets first: the greeting, or the newest log entries (oldest first).
void send_opening(Peer& peer) {
  if (peer.endpoint == Endpoint::kEvents) {
    peer.send(
        R"({"type":"connection","status":"connected","message":"Connected to AutoArr WebSocket"})");
    return;
  }
  std::uint64_t newest_seq = 0;
  std::vector<LogEntry> entries = peer.ctx->logs.newest(kBacklog, &newest_seq);
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    peer.enqueue(make_log_message(*it, /*seq=*/0));  // 0: not filtered
  }
  peer.backlog_seq = newest_seq;
}

asio::awaitable<void> wait_ms(asio::any_io_executor executor, double ms) {
  asio::steady_timer timer(executor, std::chrono::microseconds(static_cast<long long>(ms * 1000)));
  [[maybe_unused]] auto [ec] = co_await timer.async_wait(kNoThrow);
}

}  // namespace

bool is_websocket_path(std::string_view path) { return path == kEventsPath || path == kLogsPath; }

asio::awaitable<void> serve_websocket(
    tcp::socket socket, boost::beast::http::request<boost::beast::http::string_body> request,
    const ConnectionContext* ctx) {
  std::string_view path = request.target();
  path = path.substr(0, path.find('?'));
  const Endpoint endpoint = path == kEventsPath ? Endpoint::kEvents : Endpoint::kLogs;
  auto peer = std::make_shared<Peer>(std::move(socket), endpoint, ctx);
  OpenWebSocket counted(ctx->counters);
  peer->stream.set_option(
      websocket::stream_base::timeout::suggested(boost::beast::role_type::server));
  peer->stream.read_message_max(kMaxMessage);
  peer->stream.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(boost::beast::http::field::server, "uvicorn");
  }));
  auto [accept_ec] = co_await peer->stream.async_accept(request, kNoThrow);
  if (accept_ec) co_return;

  Hub& hub = endpoint == Endpoint::kEvents ? ctx->events : ctx->log_stream.clients;
  if (!hub.add(peer)) {  // the server is stopping
    [[maybe_unused]] auto [ec] =
        co_await peer->stream.async_close(websocket::close_code::going_away, kNoThrow);
    co_return;
  }
  Membership member(hub, peer.get());
  // Joined first, then the backlog: entries logged in between arrive through the hub, and those
  // the backlog already holds are skipped by their sequence numbers.
  send_opening(*peer);
  asio::co_spawn(peer->stream.get_executor(), write_loop(peer), asio::detached);

  for (;;) {
    boost::beast::flat_buffer buffer;
    auto [ec, n] = co_await peer->stream.async_read(buffer, kNoThrow);
    if (ec) break;
    if (!peer->stream.got_text()) continue;
    if (endpoint == Endpoint::kEvents) {
      // The fault knob's added latency is the only one WebSocket messages honour.
      const double latency_ms = ctx->faults.config().added_latency_ms;
      if (latency_ms > 0) co_await wait_ms(peer->stream.get_executor(), latency_ms);
      peer->send(R"({"type":"ack","message":"Message received"})");
    } else {
      peer->send(control_reply(*peer, boost::beast::buffers_to_string(buffer.data())));
    }
  }
  peer->done = true;
  peer->wake.cancel();
}

}  // namespace arrload::target
