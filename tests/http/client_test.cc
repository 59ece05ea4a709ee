#include "http/client.h"

#include <chrono>
#include <memory>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/steady_timer.hpp>

#include "http/raw_server.h"
#include "support/ports.h"

namespace arrload::http {
namespace {

using core::NetError;
using test::RawRequest;
using test::RawServer;
using test::Reply;
using test::respond;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

asio::awaitable<void> send_into(Session* session, Request req, Response* out, int* done) {
  co_await session->send(req, *out);
  ++*done;
}

// Echoes what the server received, one item per line.
Reply echo(const RawRequest& req) {
  std::string body = std::string(req.method_string()) + "\n" + std::string(req.target()) + "\n" +
                     std::string(req[bhttp::field::host]) + "\n" +
                     std::string(req[bhttp::field::user_agent]) + "\n" +
                     std::string(req["X-Test"]) + "\n" +
                     std::string(req[bhttp::field::content_type]) + "\n" + req.body();
  return respond(200, body);
}

Url local(unsigned short port, std::string_view path = "") {
  return *Url::parse("http://127.0.0.1:" + std::to_string(port) + std::string(path));
}

class ClientTest : public testing::Test {
 protected:
  Response send(Session& session, std::string_view target, bool keep_body = true,
                core::Micros timeout_us = 5'000'000) {
    Request req;
    req.method = "GET";
    req.target = target;
    req.keep_body = keep_body;
    req.timeout_us = timeout_us;
    return send(session, req);
  }
  Response send(Session& session, const Request& req) {
    Response out;
    int done = 0;
    asio::co_spawn(io_, send_into(&session, req, &out, &done), asio::detached);
    while (done == 0) io_.run_one();
    return out;
  }

  asio::io_context io_;
  ClientContext ctx_{io_};
};

TEST_F(ClientTest, GetSendsDefaultHeadersAndKeepsBody) {
  RawServer server(echo);
  Session session(ctx_, local(server.port()));
  Response r = send(session, "/health?x=1");
  EXPECT_EQ(r.error, NetError::kNone) << r.error_detail;
  EXPECT_EQ(r.status, 200);
  const std::string expected = "GET\n/health?x=1\n127.0.0.1:" + std::to_string(server.port()) +
                               "\narrload/" ARRLOAD_VERSION "\n\n\n";
  EXPECT_EQ(r.body, expected);
  EXPECT_EQ(r.body_bytes, expected.size());
  EXPECT_GT(r.latency_us, 0);
}

TEST_F(ClientTest, PostSendsBodyHeadersAndBasePath) {
  RawServer server(echo);
  Session session(ctx_, local(server.port(), "/api/"));
  const std::vector<std::pair<std::string, std::string>> headers{{"X-Test", "yes"}};
  Request req;
  req.method = "POST";
  req.target = "/v1/requests";
  req.headers = &headers;
  req.body = R"({"query":"Dune"})";
  req.content_type = "application/json";
  req.keep_body = true;
  Response r = send(session, req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST\n/api/v1/requests\n127.0.0.1:" + std::to_string(server.port()) +
                        "\narrload/" ARRLOAD_VERSION
                        "\nyes\napplication/json\n{\"query\":\"Dune\"}");
}

TEST_F(ClientTest, BodyIsCountedWithoutBeingKept) {
  RawServer server([](const RawRequest&) { return respond(200, std::string(100'000, 'x')); });
  Session session(ctx_, local(server.port()));
  Response r = send(session, "/", /*keep_body=*/false);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body_bytes, 100'000u);
  EXPECT_TRUE(r.body.empty());
}

TEST_F(ClientTest, KeepAliveReusesOneConnection) {
  RawServer server(echo);
  Session session(ctx_, local(server.port()));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(send(session, "/").status, 200);
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(server.requests(), 10);
}

TEST_F(ClientTest, ConnectionCloseHeaderReconnectsNextTime) {
  RawServer server([](const RawRequest&) {
    Reply r = respond(200, "bye", "Connection: close\r\n");
    r.close_after = true;
    return r;
  });
  Session session(ctx_, local(server.port()));
  for (int i = 0; i < 3; ++i) {
    Response r = send(session, "/");
    EXPECT_EQ(r.error, NetError::kNone) << r.error_detail;
    EXPECT_EQ(r.body, "bye");
  }
  EXPECT_EQ(server.connections(), 3);
}

TEST_F(ClientTest, IdleConnectionClosedByServerIsRetriedOnce) {
  // The server closes after each response without saying so: the next request on the reused
  // connection fails before any response byte and is retried on a new connection.
  RawServer server([](const RawRequest&) {
    Reply r = respond(200, "ok");
    r.close_after = true;
    return r;
  });
  Session session(ctx_, local(server.port()));
  for (int i = 0; i < 4; ++i) {
    Response r = send(session, "/");
    EXPECT_EQ(r.error, NetError::kNone) << i << ": " << r.error_detail;
    EXPECT_EQ(r.status, 200);
  }
  EXPECT_EQ(server.connections(), 4);
  EXPECT_EQ(server.requests(), 4);
}

TEST_F(ClientTest, ChunkedResponseIsDecoded) {
  RawServer server([](const RawRequest&) {
    return Reply{Reply::Action::kRespond,
                 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n",
                 false};
  });
  Session session(ctx_, local(server.port()));
  Response r = send(session, "/");
  EXPECT_EQ(r.body, "hello world");
  EXPECT_EQ(r.body_bytes, 11u);
  r = send(session, "/", /*keep_body=*/false);
  EXPECT_EQ(r.body_bytes, 11u);
  EXPECT_EQ(server.connections(), 1);
}

TEST_F(ClientTest, HeadResponseHasNoBody) {
  RawServer server([](const RawRequest&) {
    return Reply{{}, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", false};
  });
  Session session(ctx_, local(server.port()));
  Request req;
  req.method = "HEAD";
  req.target = "/";
  Response r = send(session, req);
  EXPECT_EQ(r.error, NetError::kNone);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body_bytes, 0u);
}

TEST_F(ClientTest, ConnectionRefused) {
  Session session(ctx_, local(test_ports::unused_loopback_port()));
  Response r = send(session, "/");
  EXPECT_EQ(r.error, NetError::kConnectionRefused) << r.error_detail;
  EXPECT_EQ(r.status, 0);
}

TEST_F(ClientTest, UnresolvableHost) {
  Session session(ctx_, *Url::parse("http://does-not-exist.invalid:80"));
  Response r = send(session, "/");
  EXPECT_EQ(r.error, NetError::kResolve) << r.error_detail;
  EXPECT_EQ(r.error_detail, "unknown host does-not-exist.invalid");
  // RFC 6761: answered without asking the system's resolver, so at once even without DNS.
  EXPECT_LT(r.latency_us, 50'000);
}

TEST_F(ClientTest, TimeoutWhenServerNeverAnswersThenRecovers) {
  RawServer server([](const RawRequest& req) {
    return req.target() == "/hang" ? Reply{Reply::Action::kIgnore, {}, false} : respond(200, "ok");
  });
  Session session(ctx_, local(server.port()));
  const auto start = std::chrono::steady_clock::now();
  Response r = send(session, "/hang", true, 200'000);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.error, NetError::kTimeout);
  EXPECT_EQ(r.error_detail, "timed out after 200ms");
  EXPECT_EQ(r.status, 0);
  EXPECT_GE(r.latency_us, 200'000);
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  r = send(session, "/");
  EXPECT_EQ(r.error, NetError::kNone) << r.error_detail;
  EXPECT_EQ(r.body, "ok");
}

TEST_F(ClientTest, TimeoutDuringTlsHandshake) {
  // The kernel completes TCP connects to a listening socket nobody accepts from; the TLS
  // handshake then never gets an answer.
  asio::ip::tcp::acceptor silent(io_, {asio::ip::make_address("127.0.0.1"), 0});
  Session session(
      ctx_, *Url::parse("https://127.0.0.1:" + std::to_string(silent.local_endpoint().port())));
  Response r = send(session, "/", true, 100'000);
  EXPECT_EQ(r.error, NetError::kTimeout) << r.error_detail;
  EXPECT_LT(r.latency_us, 1'000'000);
}

TEST_F(ClientTest, IdleContextLeavesNoWork) {
  // The deadline watchdog only runs while a send is in flight, so run() returns once idle.
  RawServer server(echo);
  Session session(ctx_, local(server.port()));
  EXPECT_EQ(send(session, "/").status, 200);
  const auto start = std::chrono::steady_clock::now();
  io_.run();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
}

TEST_F(ClientTest, TruncatedBodyIsIncomplete) {
  RawServer server([](const RawRequest&) {
    return Reply{{}, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..", true};
  });
  Session session(ctx_, local(server.port()));
  Response r = send(session, "/");
  EXPECT_EQ(r.error, NetError::kIncomplete) << r.error_detail;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(server.requests(), 1);  // bytes had arrived: no retry
}

TEST_F(ClientTest, GarbageIsProtocolError) {
  RawServer server([](const RawRequest&) { return Reply{{}, "NOT HTTP AT ALL\r\n\r\n", true}; });
  Session session(ctx_, local(server.port()));
  Response r = send(session, "/");
  EXPECT_EQ(r.error, NetError::kProtocol) << r.error_detail;
}

TEST_F(ClientTest, CloseAbortsInFlightSend) {
  RawServer server([](const RawRequest&) { return Reply{Reply::Action::kIgnore, {}, false}; });
  Session a(ctx_, local(server.port()));
  Session b(ctx_, local(server.port()));
  Request req;
  req.method = "GET";
  req.target = "/";
  Response ra, rb;
  int done = 0;
  asio::co_spawn(io_, send_into(&a, req, &ra, &done), asio::detached);
  asio::co_spawn(io_, send_into(&b, req, &rb, &done), asio::detached);
  asio::steady_timer t(io_, std::chrono::milliseconds(50));
  t.async_wait([&](boost::system::error_code) { a.close(); });
  while (done < 1) io_.run_one();
  EXPECT_EQ(ra.error, NetError::kAborted);
  ctx_.abort_all();
  while (done < 2) io_.run_one();
  EXPECT_EQ(rb.error, NetError::kAborted);
  EXPECT_LT(rb.latency_us, 2'000'000);
}

TEST_F(ClientTest, ManyConcurrentSessions) {
  RawServer server(echo);
  constexpr int kSessions = 50, kRequests = 20;
  std::vector<std::unique_ptr<Session>> sessions;
  std::vector<Response> out(kSessions * kRequests);
  int done = 0;
  for (int i = 0; i < kSessions; ++i) {
    sessions.push_back(std::make_unique<Session>(ctx_, local(server.port())));
  }
  Request req;
  req.method = "GET";
  req.target = "/";
  for (int round = 0; round < kRequests; ++round) {
    for (int i = 0; i < kSessions; ++i) {
      asio::co_spawn(io_, send_into(sessions[i].get(), req, &out[round * kSessions + i], &done),
                     asio::detached);
    }
    while (done < (round + 1) * kSessions) io_.run_one();
  }
  for (const Response& r : out) ASSERT_EQ(r.status, 200) << r.error_detail;
  EXPECT_EQ(server.connections(), kSessions);
}

TEST_F(ClientTest, TlsWithoutVerification) {
  asio::ssl::context tls = test::self_signed_tls_context();
  RawServer server([](const RawRequest&) { return respond(200, "secret"); }, &tls);
  Session session(ctx_, *Url::parse("https://localhost:" + std::to_string(server.port())));
  for (int i = 0; i < 3; ++i) {
    Response r = send(session, "/");
    EXPECT_EQ(r.error, NetError::kNone) << r.error_detail;
    EXPECT_EQ(r.body, "secret");
  }
  EXPECT_EQ(server.connections(), 1);
}

TEST_F(ClientTest, TlsVerificationRejectsSelfSignedCertificate) {
  asio::ssl::context tls = test::self_signed_tls_context();
  RawServer server([](const RawRequest&) { return respond(200, "secret"); }, &tls);
  ClientContext verifying(io_, /*verify_tls=*/true);
  Session session(verifying, *Url::parse("https://localhost:" + std::to_string(server.port())));
  Response r = send(session, "/");
  EXPECT_EQ(r.error, NetError::kTls) << r.error_detail;
  // Says why, in OpenSSL's words ("self-signed certificate", "self signed certificate").
  EXPECT_NE(r.error_detail.find("certificate verify failed: self"), std::string::npos)
      << r.error_detail;
  EXPECT_NE(r.error_detail.find("signed certificate (depth 0)"), std::string::npos)
      << r.error_detail;
}

TEST_F(ClientTest, MalformedResponsesSayWhatWasWrong) {
  RawServer server([](const RawRequest& req) {
    if (req.target() == "/status") return Reply{{}, "HTTP/1.1 2x0 Oops\r\n\r\n", true};
    if (req.target() == "/header") {
      return Reply{{}, "HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n", true};
    }
    return Reply{{}, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", true};
  });
  Session session(ctx_, local(server.port()));
  Response r = send(session, "/status");
  EXPECT_EQ(r.error, NetError::kProtocol);
  EXPECT_EQ(r.error_detail, "malformed HTTP response: bad status line");
  r = send(session, "/header");
  EXPECT_EQ(r.error_detail, "malformed HTTP response: bad header field");
  r = send(session, "/chunk");
  EXPECT_EQ(r.error_detail, "malformed HTTP response: bad chunked encoding");
}

TEST_F(ClientTest, BodyOverTheLimitFails) {
  RawServer server([](const RawRequest& req) {
    if (req.target() == "/announced") {  // nothing of it is sent: the header is enough
      return Reply{{}, "HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n", false};
    }
    return Reply{{},
                 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n" +
                     std::string(2000, 'x') + "\r\n0\r\n\r\n",
                 false};
  });
  Session session(ctx_, local(server.port()));
  Response r = send(session, "/announced", /*keep_body=*/false);
  EXPECT_EQ(r.error, NetError::kBodyTooLarge);
  EXPECT_EQ(r.error_detail, "response body over 64 MiB");
  EXPECT_EQ(send(session, "/chunked").error, NetError::kNone);

  ClientContext small(io_);
  small.set_max_body_bytes(1000);
  Session limited(small, local(server.port()));
  r = send(limited, "/chunked");
  EXPECT_EQ(r.error, NetError::kBodyTooLarge);
  EXPECT_EQ(r.error_detail, "response body over 1000 bytes");
  EXPECT_LE(r.body.size(), 1000u);
  small.set_max_body_bytes(0);  // no limit
  EXPECT_EQ(send(limited, "/chunked").body.size(), 2000u);
}

TEST_F(ClientTest, TlsToAPlainServerFailsTheHandshake) {
  RawServer plain(echo);  // answers the ClientHello with a 400 in plain text, or closes
  Session session(ctx_, *Url::parse("https://127.0.0.1:" + std::to_string(plain.port())));
  Response r = send(session, "/");
  EXPECT_EQ(r.error, NetError::kTls) << r.error_detail;
  EXPECT_EQ(r.error_detail.rfind("TLS handshake failed: ", 0), 0u) << r.error_detail;
}

}  // namespace
}  // namespace arrload::http
