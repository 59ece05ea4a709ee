// The client's browser-like behaviour against the probe server: redirects, cookies across them,
// and compressed bodies, checked against what the server received.
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "http/client.h"
#include "support/probe_server.h"

namespace arrload::http {
namespace {

namespace asio = boost::asio;
using test_support::ProbeServer;

asio::awaitable<void> send_into(Session* session, Request req, Response* out, int* done) {
  co_await session->send(req, *out);
  ++*done;
}

class ClientRedirectTest : public testing::Test {
 protected:
  Response send(std::string_view method, std::string_view target, int max_redirects = 10,
                std::string_view body = "") {
    Request req;
    req.method = method;
    req.target = target;
    req.keep_body = true;
    req.timeout_us = 5'000'000;
    req.max_redirects = max_redirects;
    req.body = body;
    req.content_type = body.empty() ? "" : "text/plain";
    req.cookies = use_jar_ ? &jar_ : nullptr;
    req.headers = &headers_;
    Response out;
    int done = 0;
    asio::co_spawn(io_, send_into(&session_, req, &out, &done), asio::detached);
    while (done == 0) io_.run_one();
    return out;
  }

  ProbeServer server_;
  asio::io_context io_;
  ClientContext ctx_{io_};
  Session session_{ctx_, *Url::parse(server_.url())};
  CookieJar jar_;
  bool use_jar_ = true;
  std::vector<std::pair<std::string, std::string>> headers_;
};

TEST_F(ClientRedirectTest, EveryRedirectStatusIsFollowedToTheLanding) {
  for (int code : {301, 302, 303, 307, 308}) {
    SCOPED_TRACE(code);
    Response r = send("GET", "/redirect/" + std::to_string(code));
    EXPECT_EQ(r.error, core::NetError::kNone) << r.error_detail;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.redirects, 1);
    EXPECT_EQ(r.body, R"({"landed": true})");
  }
  EXPECT_EQ(server_.received("/landing").size(), 5u);
  EXPECT_EQ(server_.connections(), 1) << "same origin: the keep-alive connection is reused";
}

TEST_F(ClientRedirectTest, MethodAndBodyChangeOrStayByStatus) {
  for (int code : {301, 302, 303, 307, 308})
    send("POST", "/redirect/" + std::to_string(code), 10, "payload");
  std::vector<test_support::Received> landed = server_.received("/landing");
  ASSERT_EQ(landed.size(), 5u);
  for (int i : {0, 1, 2}) {
    EXPECT_EQ(landed[i].method, "GET") << i;
    EXPECT_EQ(landed[i].body, "") << i;
    EXPECT_EQ(landed[i].content_type, "") << i;
  }
  for (int i : {3, 4}) {
    EXPECT_EQ(landed[i].method, "POST") << i;
    EXPECT_EQ(landed[i].body, "payload") << i;
    EXPECT_EQ(landed[i].content_type, "text/plain") << i;
  }
}

TEST_F(ClientRedirectTest, RelativeAbsoluteAndOtherHostLocations) {
  Response r = send("GET", "/hops/3");  // Location "2", relative to /hops/3
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.redirects, 3);
  EXPECT_EQ(server_.received("/hops/").size(), 4u);

  r = send("GET", "/redirect/302?to=" + server_.url() + "/landing");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"landed": true})");

  ProbeServer other;
  r = send("GET", "/redirect/307?to=" + other.url() + "/landing");
  EXPECT_EQ(r.error, core::NetError::kNone) << r.error_detail;
  EXPECT_EQ(r.status, 200);
  ASSERT_EQ(other.received("/landing").size(), 1u);
  EXPECT_EQ(other.received("/landing")[0].host, "127.0.0.1:" + std::to_string(other.port()));
}

TEST_F(ClientRedirectTest, AuthorizationStaysWithItsHost) {
  headers_ = {{"Authorization", "Bearer t0k"}};
  send("GET", "/redirect/302?to=/landing");
  ASSERT_EQ(server_.received("/landing").size(), 1u);
  EXPECT_EQ(server_.received("/landing")[0].authorization, "Bearer t0k");
  ProbeServer other;
  send("GET", "/redirect/302?to=" + other.url() + "/landing");
  ASSERT_EQ(other.received("/landing").size(), 1u);
  EXPECT_EQ(other.received("/landing")[0].authorization, "") << "python-requests drops it too";
}

TEST_F(ClientRedirectTest, TooManyRedirectsFailsAndALimitOfZeroReturnsThe3xx) {
  Response r = send("GET", "/loop");
  EXPECT_EQ(r.error, core::NetError::kTooManyRedirects);
  EXPECT_EQ(r.error_detail, "too many redirects (10)");
  EXPECT_EQ(server_.received("/loop").size(), 11u);

  r = send("GET", "/hops/2", 2);
  EXPECT_EQ(r.status, 200) << "exactly at the limit is fine";
  r = send("GET", "/redirect/301", 0);
  EXPECT_EQ(r.error, core::NetError::kNone);
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(r.redirects, 0);
}

TEST_F(ClientRedirectTest, UnfollowableLocationFails) {
  Response r = send("GET", "/redirect/302?to=ftp://127.0.0.1/x");
  EXPECT_EQ(r.error, core::NetError::kBadRedirect);
  EXPECT_NE(r.error_detail.find("ftp://127.0.0.1/x"), std::string::npos) << r.error_detail;
}

TEST_F(ClientRedirectTest, CookiesAreKeptSentAndDeleted) {
  EXPECT_EQ(send("GET", "/need-cookie").status, 401);
  EXPECT_EQ(send("POST", "/login").status, 200);
  EXPECT_EQ(send("GET", "/need-cookie").status, 200);
  EXPECT_EQ(send("GET", "/account/x").body, "acct=a1; session=s3cr3t") << "longer path first";
  EXPECT_EQ(send("GET", "/logout").status, 200);
  EXPECT_EQ(send("GET", "/need-cookie").status, 401);
  std::vector<test_support::Received> seen = server_.received("/need-cookie");
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].cookie, "");
  EXPECT_EQ(seen[1].cookie, "session=s3cr3t");
  EXPECT_EQ(seen[2].cookie, "");
}

TEST_F(ClientRedirectTest, CookieSetOnARedirectIsSentToItsTarget) {
  Response r = send("GET", "/set-on-redirect");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"user": "alice"})");
}

TEST_F(ClientRedirectTest, WithoutAJarNoCookieIsSent) {
  use_jar_ = false;
  send("POST", "/login");
  EXPECT_EQ(send("GET", "/need-cookie").status, 401);
  EXPECT_EQ(server_.received("/need-cookie")[0].cookie, "");
}

TEST_F(ClientRedirectTest, CompressedBodiesAreDecodedAndBothSizesReported) {
  for (std::string_view path : {"/gzip", "/deflate", "/br"}) {
    SCOPED_TRACE(path);
    Response r = send("GET", path);
    EXPECT_EQ(r.error, core::NetError::kNone) << r.error_detail;
    EXPECT_EQ(r.body, R"({"status": "ok"})");
    EXPECT_EQ(r.body_bytes, r.body.size());
    EXPECT_GT(r.wire_bytes, 0u);
    EXPECT_NE(r.wire_bytes, r.body_bytes);
  }
  EXPECT_EQ(server_.received("/gzip")[0].accept_encoding, "gzip, deflate, br");
  Response plain = send("GET", "/plain");
  EXPECT_EQ(plain.wire_bytes, plain.body_bytes);
}

TEST_F(ClientRedirectTest, ChunkedGzipBodyIsDecoded) {
  const std::string gz = test_support::deflate_text(R"({"status": "ok"})", 16 + 15);
  std::string chunked;
  for (std::size_t i = 0; i < gz.size(); i += 5) {
    const std::string piece = gz.substr(i, 5);
    chunked += fmt::format("{:x}\r\n{}\r\n", piece.size(), piece);
  }
  chunked += "0\r\n\r\n";
  test::RawServer raw([&](const test::RawRequest&) {
    return test::Reply{test::Reply::Action::kRespond,
                       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: "
                       "gzip\r\n\r\n" +
                           chunked,
                       false};
  });
  Session session(ctx_, *Url::parse("http://127.0.0.1:" + std::to_string(raw.port())));
  Request req;
  req.method = "GET";
  req.target = "/";
  req.keep_body = true;
  req.timeout_us = 5'000'000;
  Response out;
  int done = 0;
  asio::co_spawn(io_, send_into(&session, req, &out, &done), asio::detached);
  while (done == 0) io_.run_one();
  EXPECT_EQ(out.error, core::NetError::kNone) << out.error_detail;
  EXPECT_EQ(out.body, R"({"status": "ok"})");
  EXPECT_EQ(out.wire_bytes, gz.size());
}

TEST_F(ClientRedirectTest, BodyThatDoesNotDecodeFails) {
  Response r = send("GET", "/bad-gzip");
  EXPECT_EQ(r.error, core::NetError::kContentDecoding);
  EXPECT_NE(r.error_detail.find("invalid gzip data"), std::string::npos) << r.error_detail;
  EXPECT_EQ(send("GET", "/gzip").body, R"({"status": "ok"})") << "the session recovers";
}

}  // namespace
}  // namespace arrload::http
