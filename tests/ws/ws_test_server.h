#pragma once
// A scriptable WebSocket server on 127.0.0.1:0 for the ws client and engine tests: after the
// handshake it may send a welcome and an oversized message, answers each message with an ack,
// and may close after a number of them. Runs on its own thread; plain or TLS.
#include <atomic>
#include <string>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "support/loopback_server.h"

namespace arrload::ws::test {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;

struct Script {
  std::string welcome = R"({"type":"connection","status":"connected"})";  // "" = none
  std::size_t big_message = 0;  // > 0: send a message of this many bytes after the welcome
  bool ack = true;              // answer every message with {"type":"ack"}
  int close_after = 0;          // > 0: close (1000) after answering this many messages
};

class WsTestServer {
 public:
  // TLS, when given, must outlive the server.
  explicit WsTestServer(Script script, asio::ssl::context* tls = nullptr)
      : script_(std::move(script)), tls_(tls), server_([this](tcp::socket socket) {
          return tls_ != nullptr ? serve_tls(std::move(socket), this)
                                 : serve_plain(std::move(socket), this);
        }) {}

  unsigned short port() const { return server_.port(); }
  int connections() const { return server_.connections(); }
  int messages() const { return messages_.load(); }

 private:
  static constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

  static asio::awaitable<void> serve_plain(tcp::socket socket, WsTestServer* self) {
    websocket::stream<tcp::socket> ws(std::move(socket));
    co_await serve(ws, self);
  }

  static asio::awaitable<void> serve_tls(tcp::socket socket, WsTestServer* self) {
    websocket::stream<asio::ssl::stream<tcp::socket>> ws(std::move(socket), *self->tls_);
    auto [ec] = co_await ws.next_layer().async_handshake(asio::ssl::stream_base::server, kNoThrow);
    if (!ec) co_await serve(ws, self);
  }

  template <class Stream>
  static asio::awaitable<void> serve(Stream& ws, WsTestServer* self) {
    ws.read_message_max(64 * 1024);
    auto [aec] = co_await ws.async_accept(kNoThrow);
    if (aec) co_return;
    ws.text(true);
    const Script& script = self->script_;
    if (!script.welcome.empty()) {
      auto [wec, n] = co_await ws.async_write(asio::buffer(script.welcome), kNoThrow);
      if (wec) co_return;
    }
    if (script.big_message > 0) {
      std::string big(script.big_message, 'x');
      auto [wec, n] = co_await ws.async_write(asio::buffer(big), kNoThrow);
      if (wec) co_return;
    }
    boost::beast::flat_buffer buffer;
    for (int answered = 0;;) {
      auto [rec, n] = co_await ws.async_read(buffer, kNoThrow);
      if (rec) co_return;
      buffer.consume(buffer.size());
      ++self->messages_;
      if (!script.ack) continue;
      static const std::string kAck = R"({"type":"ack","message":"Message received"})";
      auto [wec, written] = co_await ws.async_write(asio::buffer(kAck), kNoThrow);
      if (wec) co_return;
      if (script.close_after > 0 && ++answered >= script.close_after) {
        [[maybe_unused]] auto [cec] =
            co_await ws.async_close(websocket::close_code::normal, kNoThrow);
        co_return;
      }
    }
  }

  Script script_;
  asio::ssl::context* tls_;
  std::atomic<int> messages_{0};
  test_support::LoopbackServer server_;  // last: stops before the rest goes
};

}  // namespace arrload::ws::test
