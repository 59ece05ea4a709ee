#include "http/request_writer.h"

#include <gtest/gtest.h>

namespace arrload::http {
namespace {

TEST(RequestWriter, GetWithoutBody) {
  Request req;
  req.method = "GET";
  req.target = "/health?x=1";
  std::string out;
  write_request_head(req, "", "localhost:8088", out);
  EXPECT_EQ(
      out,
      "GET /health?x=1 HTTP/1.1\r\nHost: localhost:8088\r\nUser-Agent: arrload/" ARRLOAD_VERSION
      "\r\nAccept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\n\r\n");
}

TEST(RequestWriter, PostWithBodyHeadersAndBasePath) {
  const std::vector<std::pair<std::string, std::string>> headers{
      {"X-Api-Key", "k"}, {"content-length", "999"}, {"Accept", "application/json"}};
  Request req;
  req.method = "POST";
  req.target = "/v1/items";
  req.headers = &headers;
  req.body = R"({"a":1})";
  req.content_type = "application/json";
  std::string out = "previous contents";
  write_request_head(req, "/api", "h", out);
  EXPECT_EQ(out, "POST /api/v1/items HTTP/1.1\r\nHost: h\r\nUser-Agent: arrload/" ARRLOAD_VERSION
                 "\r\nAccept-Encoding: gzip, deflate, br\r\nContent-Type: "
                 "application/json\r\nContent-Length: 7\r\nX-Api-Key: k\r\n"
                 "Accept: application/json\r\nConnection: keep-alive\r\n\r\n");
}

TEST(RequestWriter, EmptyPostGetsZeroLengthAndTargetGetsSlash) {
  Request req;
  req.method = "PUT";
  req.target = "";
  std::string out;
  write_request_head(req, "", "h", out);
  EXPECT_EQ(out.rfind("PUT / HTTP/1.1\r\n", 0), 0u);
  EXPECT_NE(out.find("Content-Length: 0\r\n"), std::string::npos);
}

TEST(RequestWriter, CallerHeadersReplaceDefaults) {
  const std::vector<std::pair<std::string, std::string>> headers{
      {"user-agent", "custom"}, {"HOST", "other"}, {"Connection", "close"}};
  Request req;
  req.method = "GET";
  req.target = "/";
  req.headers = &headers;
  std::string out;
  write_request_head(req, "", "h", out);
  EXPECT_EQ(out,
            "GET / HTTP/1.1\r\nAccept-Encoding: gzip, deflate, br\r\nuser-agent: custom\r\n"
            "HOST: other\r\nConnection: close\r\n\r\n");
}

TEST(RequestWriter, JarCookiesAndAcceptEncodingGiveWayToTheCallers) {
  std::vector<std::pair<std::string, std::string>> headers;
  Request req;
  req.method = "GET";
  req.target = "/";
  req.headers = &headers;
  std::string out;
  write_request_head(req, "", "h", out, {.cookie = "a=1; b=2"});
  EXPECT_NE(out.find("\r\nCookie: a=1; b=2\r\n"), std::string::npos) << out;
  headers = {{"cookie", "mine=1"}, {"accept-encoding", "identity"}};
  write_request_head(req, "", "h", out, {.cookie = "a=1; b=2"});
  EXPECT_EQ(out, "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: arrload/" ARRLOAD_VERSION
                 "\r\ncookie: mine=1\r\naccept-encoding: identity\r\nConnection: keep-alive\r\n"
                 "\r\n");
}

TEST(RequestWriter, AnotherOriginGetsNoHostOrAuthorizationFromTheCaller) {
  const std::vector<std::pair<std::string, std::string>> headers{
      {"Host", "mine"}, {"Authorization", "Bearer t"}, {"X-Keep", "1"}};
  Request req;
  req.method = "GET";
  req.target = "/x";
  req.headers = &headers;
  std::string out;
  HopHeaders hop;
  hop.other_origin = true;
  write_request_head(req, "", "other:81", out, hop);
  EXPECT_EQ(out.find("Host: mine"), std::string::npos) << out;
  EXPECT_EQ(out.find("Authorization"), std::string::npos) << out;
  EXPECT_NE(out.find("Host: other:81\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("X-Keep: 1\r\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace arrload::http
