// ws::Session against the embedded target's WebSocket endpoints and against scripted servers:
// handshake, messages both ways, closes, failures and timeouts. Every wait is bounded.
#include "ws/session.h"

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include "http/raw_server.h"
#include "integration/harness.h"
#include "target/server.h"
#include "ws/ws_test_server.h"

namespace arrload::ws {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using test::Script;
using test::WsTestServer;

// What one operation left behind, written by the coroutines below.
struct Op {
  Result result;
  std::string message;
  bool done = false;
};

asio::awaitable<void> do_connect(Session* s, std::string target, core::Micros timeout_us, Op* op) {
  ConnectRequest req;
  req.target = target;
  req.deadline_us = core::now_us() + timeout_us;
  co_await s->connect(req, op->result);
  op->done = true;
}

asio::awaitable<void> do_read(Session* s, Op* op) {
  co_await s->read_message(op->message, op->result);
  op->done = true;
}

asio::awaitable<void> do_write(Session* s, std::string text, Op* op) {
  co_await s->write_text(text, core::now_us() + 5'000'000, op->result);
  op->done = true;
}

asio::awaitable<void> do_close(Session* s, Op* op) {
  co_await s->close(core::now_us() + 2'000'000);
  op->done = true;
}

std::string type_of(const std::string& message) {
  boost::system::error_code ec;
  auto v = boost::json::parse(message, ec);
  if (ec || !v.is_object() || !v.get_object().contains("type")) return "";
  return std::string(v.at("type").as_string());
}

class WsSessionTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (session_) {
      session_->abort();
      drain();
    }
    session_.reset();
  }

  // Runs the io_context until OP is done or LIMIT passes.
  void run_until(const Op& op, milliseconds limit = milliseconds(5000)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!op.done && std::chrono::steady_clock::now() < end) {
      if (io_.stopped()) io_.restart();
      io_.run_one_for(milliseconds(20));
    }
  }
  // Lets aborted operations complete.
  void drain() {
    for (int i = 0; i < 20; ++i) {
      if (io_.stopped()) io_.restart();
      io_.run_for(milliseconds(5));
    }
  }

  Session& open_session(const std::string& base) {
    session_ = std::make_unique<Session>(ctx_, *http::Url::parse(base));
    return *session_;
  }
  Op connect(const std::string& target, core::Micros timeout_us = 5'000'000) {
    Op op;
    asio::co_spawn(io_, do_connect(session_.get(), target, timeout_us, &op), asio::detached);
    run_until(op);
    EXPECT_TRUE(op.done) << "connect did not finish";
    return op;
  }
  Op read() {
    Op op;
    asio::co_spawn(io_, do_read(session_.get(), &op), asio::detached);
    run_until(op);
    EXPECT_TRUE(op.done) << "read did not finish";
    return op;
  }
  Op write(const std::string& text) {
    Op op;
    asio::co_spawn(io_, do_write(session_.get(), text, &op), asio::detached);
    run_until(op);
    EXPECT_TRUE(op.done) << "write did not finish";
    return op;
  }

  asio::io_context io_;
  Context ctx_{io_};
  std::unique_ptr<Session> session_;
};

class WsTargetTest : public WsSessionTest {
 protected:
  void SetUp() override {
    target::Options o;
    o.port = 0;
    o.threads = 1;
    o.latency_scale = 0;
    o.db_path = ":memory:";
    o.download_seconds = 0;  // no spontaneous events
    server_ = std::make_unique<target::Server>(o);
    server_->start();
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override {
    WsSessionTest::TearDown();
    server_->stop();
  }

  std::unique_ptr<target::Server> server_;
  std::string base_;
};

TEST_F(WsTargetTest, ConnectReceivesTheWelcomeMessage) {
  open_session(base_);
  Op c = connect("/api/v1/ws");
  ASSERT_EQ(c.result.error, core::NetError::kNone) << c.result.error_detail;
  EXPECT_TRUE(session_->is_open());
  Op r = read();
  ASSERT_EQ(r.result.error, core::NetError::kNone) << r.result.error_detail;
  EXPECT_EQ(type_of(r.message), "connection") << r.message;
  EXPECT_EQ(r.result.bytes, r.message.size());
}

TEST_F(WsTargetTest, EveryMessageIsAcknowledged) {
  open_session(base_);
  ASSERT_EQ(connect("/api/v1/ws").result.error, core::NetError::kNone);
  ASSERT_EQ(type_of(read().message), "connection");
  for (int i = 0; i < 3; ++i) {
    Op w = write(R"({"type":"hello"})");
    ASSERT_EQ(w.result.error, core::NetError::kNone) << w.result.error_detail;
    Op r = read();
    ASSERT_EQ(r.result.error, core::NetError::kNone) << r.result.error_detail;
    EXPECT_EQ(type_of(r.message), "ack") << r.message;
  }
}

TEST_F(WsTargetTest, LogsStreamSendsLogEntries) {
  open_session(base_);
  // A request before connecting puts at least one entry in the backlog the stream starts with.
  ASSERT_FALSE(arrload::testing::http_get_body(server_->port(), "/health").empty());
  ASSERT_EQ(connect("/api/v1/logs/stream").result.error, core::NetError::kNone);
  Op r = read();
  ASSERT_EQ(r.result.error, core::NetError::kNone) << r.result.error_detail;
  EXPECT_EQ(type_of(r.message), "log") << r.message;
}

TEST_F(WsTargetTest, WrongPathIsARejectedHandshakeWithItsStatus) {
  open_session(base_);
  Op c = connect("/api/v1/no-such-socket");
  EXPECT_EQ(c.result.error, core::NetError::kProtocol);
  EXPECT_EQ(c.result.status, 404);
  EXPECT_EQ(c.result.error_detail, "handshake rejected: HTTP 404");
  EXPECT_FALSE(session_->is_open());
}

TEST_F(WsTargetTest, GracefulCloseEndsThePendingRead) {
  open_session(base_);
  ASSERT_EQ(connect("/api/v1/ws").result.error, core::NetError::kNone);
  ASSERT_EQ(type_of(read().message), "connection");
  Op pending;
  asio::co_spawn(io_, do_read(session_.get(), &pending), asio::detached);
  Op closing;
  asio::co_spawn(io_, do_close(session_.get(), &closing), asio::detached);
  run_until(closing);
  run_until(pending);
  ASSERT_TRUE(closing.done);
  ASSERT_TRUE(pending.done);
  EXPECT_NE(pending.result.error, core::NetError::kNone);
  EXPECT_FALSE(session_->is_open());
}

TEST_F(WsTargetTest, ServerStopIsAClose) {
  open_session(base_);
  ASSERT_EQ(connect("/api/v1/ws").result.error, core::NetError::kNone);
  ASSERT_EQ(type_of(read().message), "connection");
  Op pending;
  asio::co_spawn(io_, do_read(session_.get(), &pending), asio::detached);
  // stop() waits up to 1 s for our close reply, which needs this thread: run it beside.
  std::thread stopper([this] { server_->stop(); });
  run_until(pending);
  stopper.join();
  ASSERT_TRUE(pending.done);
  EXPECT_EQ(pending.result.error, core::NetError::kConnectionReset);
  EXPECT_EQ(pending.result.error_detail, "closed by the server (close code 1001)");
  // A write on the closed connection fails at once.
  Op w = write("x");
  EXPECT_EQ(w.result.error, core::NetError::kConnectionReset);
}

TEST_F(WsSessionTest, RefusedConnection) {
  unsigned short port;
  {
    asio::ip::tcp::acceptor a(io_, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  open_session("http://127.0.0.1:" + std::to_string(port));
  Op c = connect("/api/v1/ws");
  EXPECT_EQ(c.result.error, core::NetError::kConnectionRefused) << c.result.error_detail;
  EXPECT_FALSE(session_->is_open());
}

TEST_F(WsSessionTest, HandshakeTimesOutAgainstASilentServer) {
  http::test::RawServer silent([](const http::test::RawRequest&) {
    return http::test::Reply{http::test::Reply::Action::kIgnore, "", false};
  });
  open_session("http://127.0.0.1:" + std::to_string(silent.port()));
  const auto start = std::chrono::steady_clock::now();
  Op c = connect("/api/v1/ws", 200'000);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(c.result.error, core::NetError::kTimeout) << c.result.error_detail;
  EXPECT_GE(took, milliseconds(190));
  EXPECT_LT(took, milliseconds(2000));
  EXPECT_EQ(silent.requests(), 1);
}

TEST_F(WsSessionTest, WatchedReadTimesOut) {
  WsTestServer server(Script{.welcome = "", .big_message = 0, .ack = false, .close_after = 0});
  open_session("http://127.0.0.1:" + std::to_string(server.port()));
  ASSERT_EQ(connect("/").result.error, core::NetError::kNone);
  session_->watch(core::now_us() + 150'000);
  const auto start = std::chrono::steady_clock::now();
  Op r = read();
  session_->unwatch();
  EXPECT_EQ(r.result.error, core::NetError::kTimeout) << r.result.error_detail;
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  EXPECT_FALSE(session_->is_open());
}

TEST_F(WsSessionTest, AbortEndsThePendingReadAsAborted) {
  WsTestServer server(Script{.welcome = "", .big_message = 0, .ack = false, .close_after = 0});
  open_session("http://127.0.0.1:" + std::to_string(server.port()));
  ASSERT_EQ(connect("/").result.error, core::NetError::kNone);
  Op pending;
  asio::co_spawn(io_, do_read(session_.get(), &pending), asio::detached);
  io_.poll();
  session_->abort();
  run_until(pending);
  ASSERT_TRUE(pending.done);
  EXPECT_EQ(pending.result.error, core::NetError::kAborted);
}

TEST_F(WsSessionTest, OversizedMessageIsAProtocolError) {
  WsTestServer server(Script{.welcome = "", .big_message = kMaxMessageBytes + 1});
  open_session("http://127.0.0.1:" + std::to_string(server.port()));
  ASSERT_EQ(connect("/").result.error, core::NetError::kNone);
  Op r = read();
  EXPECT_EQ(r.result.error, core::NetError::kProtocol);
  EXPECT_EQ(r.result.error_detail, "message too big");
}

TEST_F(WsSessionTest, ReconnectsOnTheSameSession) {
  WsTestServer server(Script{});
  open_session("http://127.0.0.1:" + std::to_string(server.port()));
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(connect("/").result.error, core::NetError::kNone);
    EXPECT_EQ(type_of(read().message), "connection");
  }
  EXPECT_EQ(server.connections(), 2);
}

TEST_F(WsSessionTest, SecureWebSocketOverTls) {
  asio::ssl::context tls = http::test::self_signed_tls_context();
  WsTestServer server(Script{}, &tls);
  open_session("https://127.0.0.1:" + std::to_string(server.port()));
  Op c = connect("/");
  ASSERT_EQ(c.result.error, core::NetError::kNone) << c.result.error_detail;
  EXPECT_EQ(type_of(read().message), "connection");
  ASSERT_EQ(write("hi").result.error, core::NetError::kNone);
  EXPECT_EQ(type_of(read().message), "ack");
}

TEST_F(WsSessionTest, PlainServerSpeakingTlsFailsTheHandshake) {
  WsTestServer server(Script{});
  open_session("https://127.0.0.1:" + std::to_string(server.port()));
  Op c = connect("/", 2'000'000);
  EXPECT_NE(c.result.error, core::NetError::kNone);
  EXPECT_NE(c.result.error, core::NetError::kTimeout);
}

}  // namespace
}  // namespace arrload::ws
