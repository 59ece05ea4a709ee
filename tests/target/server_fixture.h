#pragma once
// The fixture of the target's socket-level tests: a real server on 127.0.0.1:0 and a client
// session (arrload's own http::Session) with bounded timeouts.
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "http/client.h"
#include "target/server.h"

namespace arrload::target::testing_support {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Headers = std::vector<std::pair<std::string, std::string>>;

// What a raw exchange got back: the response (status 0 if none) and whether the server closed.
struct RawResult {
  bhttp::response<bhttp::string_body> response;
  bool closed = false;
};

// Writes BYTES on a new connection and reads one response, then, if CHECK_CLOSE, waits for the
// server's close. Bounded: gives up after 5 s.
inline RawResult raw_exchange(unsigned short port, const std::string& bytes,
                              bool check_close = false) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  RawResult result;
  boost::beast::flat_buffer buffer;
  asio::async_write(socket, asio::buffer(bytes), [](boost::system::error_code, std::size_t) {});
  bhttp::async_read(socket, buffer, result.response,
                    [&](boost::system::error_code ec, std::size_t) {
                      if (ec || !check_close) return;
                      char c;
                      socket.async_read_some(asio::buffer(&c, 1),
                                             [&](boost::system::error_code rec, std::size_t) {
                                               result.closed = rec == asio::error::eof;
                                             });
                    });
  io.run_for(std::chrono::seconds(5));
  return result;
}

inline asio::awaitable<void> send_into(http::Session* s, http::Request req, http::Response* out,
                                       bool* done) {
  co_await s->send(req, *out);
  *done = true;
}

class TargetServerTest : public testing::Test {
 protected:
  // A test server's options: any free port, two threads, no modelled latency, in-memory database,
  // the admin endpoint on.
  static Options test_options(double latency_scale = 0) {
    Options o;
    o.port = 0;
    o.threads = 2;
    o.latency_scale = latency_scale;
    o.db_path = ":memory:";
    o.admin = true;  // the fault tests steer /__target/faults (server_test checks it is off)
    return o;
  }
  void start(double latency_scale = 0) { start_with(test_options(latency_scale)); }
  void start_with(const Options& o) {
    session_.reset();
    server_.reset();
    server_ = std::make_unique<Server>(o);
    server_->start();
    session_ = std::make_unique<http::Session>(ctx_, base());
  }
  void SetUp() override { start(); }
  void TearDown() override { session_.reset(); }

  http::Url base() const {
    return *http::Url::parse("http://127.0.0.1:" + std::to_string(server_->port()));
  }
  http::Response call(std::string_view method, std::string_view target, std::string_view body = "",
                      const Headers* headers = nullptr, core::Micros timeout_us = 5'000'000) {
    http::Request req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.content_type = body.empty() ? "" : "application/json";
    req.headers = headers;
    req.keep_body = true;
    req.timeout_us = timeout_us;
    http::Response out;
    bool done = false;
    asio::co_spawn(io_, send_into(session_.get(), req, &out, &done), asio::detached);
    while (!done) io_.run_one();
    return out;
  }
  json::value get_json(std::string_view target, int expected_status = 200) {
    return call_json("GET", target, "", expected_status);
  }
  // METHOD TARGET with BODY, expecting EXPECTED_STATUS; the body parsed (null if not JSON).
  json::value call_json(std::string_view method, std::string_view target, std::string_view body,
                        int expected_status = 200) {
    http::Response r = call(method, target, body);
    EXPECT_EQ(r.status, expected_status)
        << method << " " << target << ": " << r.body << r.error_detail;
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    return ec ? json::value() : v;
  }

  asio::io_context io_;
  http::ClientContext ctx_{io_};
  std::unique_ptr<Server> server_;
  std::unique_ptr<http::Session> session_;
};

}  // namespace arrload::target::testing_support
