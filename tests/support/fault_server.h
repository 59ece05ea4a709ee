#pragma once
// A misbehaving HTTP/1.1 and WebSocket server on 127.0.0.1:0 for the fault matrix
// (tests/integration/fault_matrix_test.cc): every way a target can fail a load tester, one per
// path. Runs on its own thread (test_support::LoopbackServer); nothing outlives the object, and
// every fault is bounded: it ends when the client goes or after its fixed number of bytes.
//
// Paths (any method; the request body, if any, is not read):
//   /ok                 200 "ok", keep-alive (the healthy path)
//   /reset              the head and 3 of 1000 body bytes, then a TCP reset (SO_LINGER 0)
//   /stall              reads the request and never answers
//   /drip               a 64-byte-body response, one byte a second
//   /bad-status         "HTTP/1.1 2x0 Oops": a malformed status line
//   /bad-header         a header field name with a space in it
//   /truncated-chunked  chunked, a 256-byte chunk cut after 20 bytes, then the connection closes
//   /huge               Content-Length: 1 GiB, the bytes generated as they are written
//   /huge-chunked       1 GiB in 64 KiB chunks, with no length announced
//   /bad-utf8           200 {"name": "<0xff 0xfe>"}, Content-Type: text/<0xff 0xfe> (invalid
//                       UTF-8 in the body and in a header value)
//   /close-idle         200 "ok" without "Connection: close", then closes once idle for 50 ms
//   /ws-bad-utf8        WebSocket: a welcome, then each message answered with a text frame of
//                       invalid UTF-8 ({"type":"ack", ...})
//   /ws-vanish          WebSocket: a welcome, then at the first message the TCP connection just
//                       closes (no close frame)
//   /ws-vanish-idle     WebSocket: a welcome, then 100 ms later the TCP connection just closes
//   anything else       404
// A connection whose first byte is a TLS record (a client speaking https:// to this plain port)
// gets a plain-text "HTTP/1.1 400" and a close: a TLS handshake that fails.
#include <openssl/evp.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "support/loopback_server.h"

namespace arrload::test_support {

class FaultServer {
  using tcp = boost::asio::ip::tcp;

 public:
  static constexpr std::uint64_t kHugeBytes = 1ull << 30;

  FaultServer() : server_([this](tcp::socket s) { return serve(std::move(s), this); }) {}

  unsigned short port() const { return server_.port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  int connections() const { return server_.connections(); }
  // Requests read for PATH so far.
  int requests(const std::string& path) const {
    std::lock_guard lock(mutex_);
    auto it = requests_.find(path);
    return it == requests_.end() ? 0 : it->second;
  }

 private:
  template <class T>
  using Awaitable = boost::asio::awaitable<T>;
  static constexpr auto kNoThrow = boost::asio::as_tuple(boost::asio::use_awaitable);

  static Awaitable<bool> write(tcp::socket& s, std::string_view bytes) {
    auto [ec, n] = co_await boost::asio::async_write(s, boost::asio::buffer(bytes), kNoThrow);
    co_return !ec;
  }
  static Awaitable<void> sleep(tcp::socket& s, std::chrono::milliseconds ms) {
    boost::asio::steady_timer t(s.get_executor(), ms);
    co_await t.async_wait(kNoThrow);
  }
  static void reset(tcp::socket& s) {
    ::linger l{1, 0};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
    boost::system::error_code ignored;
    s.close(ignored);
  }

  static Awaitable<void> serve(tcp::socket s, FaultServer* self) {
    std::string buf;
    unsigned char first = 0;
    auto [pec, peeked] = co_await s.async_receive(boost::asio::buffer(&first, 1),
                                                  tcp::socket::message_peek, kNoThrow);
    if (pec) co_return;
    if (first == 0x16) {  // a TLS ClientHello
      co_await write(s,
                     "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      co_return;
    }
    for (;;) {
      auto [ec, n] = co_await boost::asio::async_read_until(
          s, boost::asio::dynamic_buffer(buf, 64 * 1024), "\r\n\r\n", kNoThrow);
      if (ec) co_return;
      const std::string head = buf.substr(0, n);
      buf.erase(0, n);
      const std::size_t sp1 = head.find(' ');
      const std::size_t sp2 = head.find(' ', sp1 + 1);
      const std::string path = head.substr(sp1 + 1, sp2 - sp1 - 1);
      {
        std::lock_guard lock(self->mutex_);
        ++self->requests_[path];
      }
      const bool keep = co_await answer(s, path, head, buf);
      if (!keep) co_return;
    }
  }

  // Answers one request for PATH; false: the connection is done.
  static Awaitable<bool> answer(tcp::socket& s, std::string path, std::string head,
                                std::string& rest) {
    if (path == "/ok")
      co_return co_await write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    if (path == "/reset") {
      co_await write(s, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc");
      co_await sleep(s, std::chrono::milliseconds(20));
      reset(s);
      co_return false;
    }
    if (path == "/stall") {
      char c;
      co_await boost::asio::async_read(s, boost::asio::buffer(&c, 1), kNoThrow);
      co_return false;  // the client gave up
    }
    if (path == "/drip") {
      const std::string r = "HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n" + std::string(64, 'd');
      for (char c : r) {
        if (!co_await write(s, std::string_view(&c, 1))) co_return false;
        co_await sleep(s, std::chrono::seconds(1));
      }
      co_return true;
    }
    if (path == "/bad-status") {
      co_await write(s, "HTTP/1.1 2x0 Oops\r\nContent-Length: 0\r\n\r\n");
      co_return false;
    }
    if (path == "/bad-header") {
      co_await write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Bad Header: yes\r\n\r\nok");
      co_return false;
    }
    if (path == "/truncated-chunked") {
      co_await write(
          s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100\r\n" + std::string(20, 'c'));
      co_await sleep(s, std::chrono::milliseconds(20));
      co_return false;  // closes: FIN, not a reset
    }
    if (path == "/huge" || path == "/huge-chunked") co_return co_await huge(s, path == "/huge");
    if (path == "/bad-utf8") {
      const std::string body = "{\"name\": \"\xff\xfe\"}";
      co_return co_await write(
          s, "HTTP/1.1 200 OK\r\nContent-Type: text/\xff\xfe\r\nContent-Length: " +
                 std::to_string(body.size()) + "\r\n\r\n" + body);
    }
    if (path == "/close-idle") {
      co_await write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      co_await sleep(s, std::chrono::milliseconds(50));
      co_return false;
    }
    if (path == "/ws-bad-utf8" || path == "/ws-vanish" || path == "/ws-vanish-idle") {
      co_await websocket(s, head, rest, path);
      co_return false;
    }
    co_return co_await write(s, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  }

  static Awaitable<bool> huge(tcp::socket& s, bool with_length) {
    const std::string block(64 * 1024, 'h');
    if (with_length) {
      if (!co_await write(
              s, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(kHugeBytes) + "\r\n\r\n")) {
        co_return false;
      }
    } else if (!co_await write(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")) {
      co_return false;
    }
    const std::string chunk_head = "10000\r\n";  // 64 KiB in hex
    for (std::uint64_t sent = 0; sent < kHugeBytes; sent += block.size()) {
      if (!with_length && !co_await write(s, chunk_head)) co_return false;
      if (!co_await write(s, block)) co_return false;
      if (!with_length && !co_await write(s, "\r\n")) co_return false;
    }
    if (!with_length) co_return co_await write(s, "0\r\n\r\n");
    co_return true;
  }

  // The handshake's Sec-WebSocket-Accept for KEY (RFC 6455 section 4.2.2).
  static std::string accept_key(const std::string& key) {
    const std::string text = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char sha[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(text.data(), text.size(), sha, &len, EVP_sha1(), nullptr);
    std::string out(4 * ((len + 2) / 3) + 1, '\0');
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), sha, static_cast<int>(len));
    out.resize(static_cast<std::size_t>(n));
    return out;
  }
  static std::string header_value(const std::string& head, std::string_view name) {
    for (std::size_t at = head.find("\r\n"); at != std::string::npos;
         at = head.find("\r\n", at + 2)) {
      const std::size_t colon = head.find(':', at);
      const std::string field = head.substr(at + 2, colon - at - 2);
      if (field.size() == name.size() &&
          std::equal(field.begin(), field.end(), name.begin(),
                     [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
        const std::size_t start = head.find_first_not_of(' ', colon + 1);
        return head.substr(start, head.find("\r\n", start) - start);
      }
    }
    return "";
  }
  // An unmasked server text frame carrying PAYLOAD (< 64 KiB).
  static std::string text_frame(std::string_view payload) {
    std::string f(1, '\x81');
    if (payload.size() < 126) {
      f.push_back(static_cast<char>(payload.size()));
    } else {
      f.push_back(126);
      f.push_back(static_cast<char>(payload.size() >> 8));
      f.push_back(static_cast<char>(payload.size() & 0xff));
    }
    f.append(payload);
    return f;
  }
  // Reads into REST until it holds N bytes; false when the connection ended first.
  static Awaitable<bool> fill(tcp::socket& s, std::string& rest, std::size_t n) {
    while (rest.size() < n) {
      char tmp[4096];
      auto [ec, got] = co_await s.async_read_some(boost::asio::buffer(tmp), kNoThrow);
      if (ec) co_return false;
      rest.append(tmp, got);
    }
    co_return true;
  }
  // Reads one client frame (masked; its payload is not needed): its opcode, -1 when the
  // connection ended.
  static Awaitable<int> read_frame(tcp::socket& s, std::string& rest) {
    if (!co_await fill(s, rest, 2)) co_return -1;
    const int opcode = static_cast<unsigned char>(rest[0]) & 0x0f;
    std::uint64_t len = static_cast<unsigned char>(rest[1]) & 0x7f;
    std::size_t header = 2 + 4;
    if (len == 126) header += 2;
    if (len == 127) co_return -1;  // not sent by the tests
    if (!co_await fill(s, rest, header)) co_return -1;
    if (len == 126) {
      len = (static_cast<std::uint64_t>(static_cast<unsigned char>(rest[2])) << 8) |
            static_cast<unsigned char>(rest[3]);
    }
    if (!co_await fill(s, rest, header + len)) co_return -1;
    rest.erase(0, header + len);
    co_return opcode;
  }

  static Awaitable<void> websocket(tcp::socket& s, std::string head, std::string& rest,
                                   std::string path) {
    const bool vanish = path == "/ws-vanish";
    const std::string key = header_value(head, "Sec-WebSocket-Key");
    if (!co_await write(s,
                        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                            accept_key(key) + "\r\n\r\n" +
                            text_frame(R"({"type":"connection","status":"connected"})"))) {
      co_return;
    }
    if (path == "/ws-vanish-idle") {
      co_await sleep(s, std::chrono::milliseconds(100));
      co_return;  // closes the socket: no close frame, while nothing is awaited
    }
    for (int opcode; (opcode = co_await read_frame(s, rest)) >= 0;) {
      // A close frame (the client failing the connection) ends it here: the client waits for
      // the TCP close.
      if (vanish || opcode == 0x8) co_return;  // closes the socket: no close frame
      if (!co_await write(s, text_frame("{\"type\":\"ack\",\"message\":\"\xff\xfe\"}"))) co_return;
    }
  }

  mutable std::mutex mutex_;
  std::map<std::string, int> requests_;
  LoopbackServer server_;  // last: its thread stops before the rest goes
};

}  // namespace arrload::test_support
