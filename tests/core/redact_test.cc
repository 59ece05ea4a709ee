#include "core/redact.h"

#include <string>

#include <gtest/gtest.h>

namespace arrload::core {
namespace {

TEST(SecretName, HeadersAndParametersByNameOrPart) {
  for (const char* name : {"Authorization", "proxy-authorization",
                           "Cookie",        "Set-Cookie",
                           "X-Api-Key",     "x_api_key",
                           "api_key",       "apikey",
                           "API-KEY",       "token",
                           "access_token",  "X-Auth-Token",
                           "password",      "db_passwd",
                           "secret",        "client_secret",
                           "key",           "sig",
                           "Signature",     "session",
                           "jwt",           "aws_access_key_id",
                           "credentials"}) {
    EXPECT_TRUE(is_secret_name(name)) << name;
  }
  for (const char* name : {"", "page", "q", "id", "monkey", "sort_key", "Content-Type", "author",
                           "host", "status", "keys", "X-Request-Id"}) {
    EXPECT_FALSE(is_secret_name(name)) << name;
  }
}

TEST(Redact, QueryParametersFormsAndCookies) {
  EXPECT_EQ(redact("/api/v1/shows?api_key=s3cr3t&page=2&token=abc#top"),
            "/api/v1/shows?api_key=***&page=2&token=***#top");
  EXPECT_EQ(redact("HTTPError('500 Server Error: x for url: /a?access_token=xyz')"),
            "HTTPError('500 Server Error: x for url: /a?access_token=***')");
  EXPECT_EQ(redact("sid=abc; theme=dark; session=zz"), "sid=***; theme=dark; session=***");
  EXPECT_EQ(redact("?key=AIzaSy0123&monkey=1"), "?key=***&monkey=1");
  EXPECT_EQ(redact("/a?token="), "/a?token=");  // nothing to hide
}

TEST(Redact, HeadersAndJson) {
  EXPECT_EQ(redact("Authorization: Bearer abc.def"), "Authorization: ***");
  EXPECT_EQ(redact("Cookie: a=1; b=2\r\nHost: x"), "Cookie: ***\r\nHost: x");
  EXPECT_EQ(redact("X-Api-Key: k123 and more"), "X-Api-Key: *** and more");
  EXPECT_EQ(redact(R"({"x-api-key":"k1","page":2,"token": "t\"2", 'password': 'p'})"),
            R"({"x-api-key":"***","page":2,"token": "***", 'password': '***'})");
  EXPECT_EQ(redact("check $.query: got 'api_key=k&token=t', expected x"),
            "check $.query: got 'api_key=***&token=***', expected x");
  // arrload's own messages name secrets without showing one: left as they are.
  for (const char* text : {"extract token: $.token matched nothing in the response",
                           "check $.headers.cookie: got '***', expected another value",
                           "template variable 'api_key' is not set"}) {
    EXPECT_EQ(redact(text), text);
  }
}

TEST(Redact, UrlPasswordsAndBearerTokens) {
  EXPECT_EQ(redact("GET http://ann:pw@127.0.0.1:8080/health"),
            "GET http://ann:***@127.0.0.1:8080/health");
  EXPECT_EQ(redact("http://127.0.0.1:8080/x"), "http://127.0.0.1:8080/x");
  EXPECT_EQ(redact("sent Bearer eyJhbGciOi.x-y_z and Basic YW5uOnB3"),
            "sent Bearer *** and Basic ***");
  EXPECT_EQ(redact("basic auth failed"), "basic auth failed");
}

TEST(Redact, PlainTextIsLeftAloneWithoutCopying) {
  std::string out = "untouched";
  EXPECT_FALSE(redact_into("/api/v1/shows/12", out));
  EXPECT_FALSE(redact_into("connection refused: 127.0.0.1:9", out));
  EXPECT_FALSE(redact_into("unexpected status 503 (expected 200) for url: /health", out));
  EXPECT_EQ(out, "untouched");
  EXPECT_FALSE(may_show_secret("/api/v1/shows/12"));
  EXPECT_TRUE(redact_into("/a?token=1", out));
  EXPECT_EQ(out, "/a?token=***");
  // Idempotent: masked text masks to itself.
  const std::string once = redact("Authorization: Basic x; /a?api_key=1 http://u:p@h/");
  EXPECT_EQ(redact(once), once);
}

}  // namespace
}  // namespace arrload::core
