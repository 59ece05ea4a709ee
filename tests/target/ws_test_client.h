#pragma once
// A WebSocket client for the target's tests: Beast's stream driven by its own io_context with
// bounded waits, so a test fails instead of hanging.
#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace arrload::target::testing_support {

class WsTestClient {
 public:
  using error_code = boost::system::error_code;

  // Connects to 127.0.0.1:PORT and upgrades on PATH; false (with error()) when that fails
  // within 5 s. RCVBUF > 0 sets a small receive buffer first (a slow client).
  bool connect(unsigned short port, const std::string& path, int rcvbuf = 0) {
    auto& socket = ws_.next_layer();
    socket.open(boost::asio::ip::tcp::v4());
    if (rcvbuf > 0) socket.set_option(boost::asio::socket_base::receive_buffer_size(rcvbuf));
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec_);
    if (ec_) return false;
    bool done = false;
    ws_.async_handshake("127.0.0.1", path, [&](error_code ec) {
      ec_ = ec;
      done = true;
    });
    return run_until(done, std::chrono::seconds(5)) && !ec_;
  }

  // The next text message, or nullopt (see error()) when none comes within TIMEOUT. After a
  // timeout the stream is unusable.
  std::optional<std::string> read(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    boost::beast::flat_buffer buffer;
    bool done = false;
    ws_.async_read(buffer, [&](error_code ec, std::size_t) {
      ec_ = ec;
      done = true;
    });
    if (!run_until(done, timeout) || ec_) return std::nullopt;
    return boost::beast::buffers_to_string(buffer.data());
  }

  // The next message parsed as JSON (null when none or not JSON).
  boost::json::value read_json(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::optional<std::string> text = read(timeout);
    if (!text) return nullptr;
    error_code ec;
    boost::json::value v = boost::json::parse(*text, ec);
    return ec ? boost::json::value(nullptr) : v;
  }

  // Reads messages until one has "type" TYPE (and, if given, "event_type" EVENT_TYPE); null
  // when the stream ends or DEADLINE passes first.
  boost::json::value read_until(std::string_view type, std::string_view event_type = "",
                                std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return nullptr;
      boost::json::value v = read_json(left);
      if (!v.is_object()) return nullptr;
      const auto* t = v.as_object().if_contains("type");
      const auto* e = v.as_object().if_contains("event_type");
      if (t == nullptr || !t->is_string() || t->get_string() != type) continue;
      if (!event_type.empty() &&
          (e == nullptr || !e->is_string() || e->get_string() != event_type)) {
        continue;
      }
      return v;
    }
  }

  bool write(const std::string& text) {
    bool done = false;
    ws_.text(true);
    ws_.async_write(boost::asio::buffer(text), [&](error_code ec, std::size_t) {
      ec_ = ec;
      done = true;
    });
    return run_until(done, std::chrono::seconds(5)) && !ec_;
  }

  void close() {
    bool done = false;
    ws_.async_close(boost::beast::websocket::close_code::normal, [&](error_code) { done = true; });
    run_until(done, std::chrono::seconds(2));
  }

  const error_code& error() const { return ec_; }
  boost::beast::websocket::close_reason reason() const { return ws_.reason(); }
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket>& stream() { return ws_; }

 private:
  // Runs the context until DONE or TIMEOUT; on a timeout cancels what is pending.
  bool run_until(bool& done, std::chrono::milliseconds timeout) {
    io_.restart();
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (!done && std::chrono::steady_clock::now() < until) {
      io_.run_one_until(until);
    }
    if (done) return true;
    error_code ignored;
    ws_.next_layer().cancel(ignored);
    io_.restart();
    io_.run_for(std::chrono::seconds(1));
    ec_ = boost::asio::error::timed_out;
    return false;
  }

  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_{io_};
  error_code ec_;
};

}  // namespace arrload::target::testing_support
