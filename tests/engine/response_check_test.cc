#include "engine/response_check.h"

#include <gtest/gtest.h>

namespace arrload::engine {
namespace {

scenario::Request with_checks(std::vector<scenario::BodyCheck> checks) {
  scenario::Request r;
  r.checks = std::move(checks);
  return r;
}

TEST(CheckBody, PassesWhenEveryPathMatches) {
  core::Rng rng(1);
  std::string message = "untouched";
  auto req = with_checks({{"$.status", {"healthy", "degraded"}}, {"$.services", {}}});
  EXPECT_FALSE(check_body(req, R"({"status":"degraded","services":{"a":1}})", rng, message));
  EXPECT_EQ(message, "untouched");
}

TEST(CheckBody, WrongValueNamesPathValueAndExpected) {
  core::Rng rng(1);
  std::string message;
  auto req = with_checks({{"$.status", {"healthy", "degraded"}}});
  EXPECT_TRUE(check_body(req, R"({"status":"unhealthy"})", rng, message));
  EXPECT_EQ(message, "check $.status: got 'unhealthy', expected healthy, degraded");
}

TEST(CheckBody, MissingValueOrNotJsonFails) {
  core::Rng rng(1);
  std::string message;
  auto req = with_checks({{"$.audit_id", {}}});
  EXPECT_TRUE(check_body(req, R"({"id":3})", rng, message));
  EXPECT_EQ(message, "check $.audit_id: no value in the response");
  EXPECT_TRUE(check_body(req, "<html>", rng, message));
}

TEST(CheckBody, NumbersCompareAsJsonTextAndLongValuesAreCut) {
  core::Rng rng(1);
  std::string message;
  EXPECT_FALSE(check_body(with_checks({{"$.n", {"3"}}}), R"({"n":3})", rng, message));
  std::string long_value(200, 'x');
  EXPECT_TRUE(
      check_body(with_checks({{"$.s", {"y"}}}), R"({"s":")" + long_value + R"("})", rng, message));
  EXPECT_LT(message.size(), 120u);
  EXPECT_NE(message.find("..."), std::string::npos);
}

TEST(CheckHeaders, PresenceValuesAndMediaTypeParameters) {
  scenario::Request req;
  req.header_checks = {{"Content-Type", {"application/json"}}, {"X-Trace", {}}};
  std::string message = "untouched";
  std::vector<std::pair<std::string, std::string>> headers = {
      {"content-type", "application/json; charset=utf-8"}, {"x-trace", "abc"}};
  EXPECT_FALSE(check_headers(req, headers, message));
  EXPECT_EQ(message, "untouched");
  headers[0].second = "application/jsonx";
  EXPECT_TRUE(check_headers(req, headers, message));
  EXPECT_EQ(message,
            "check header Content-Type: got 'application/jsonx', expected application/json");
  headers.pop_back();
  headers[0].second = "application/json";
  EXPECT_TRUE(check_headers(req, headers, message));
  EXPECT_EQ(message, "check header X-Trace: not in the response");
}

// A check on a secret (an echoed API key) fails without quoting either side.
TEST(CheckHeaders, SecretsAreNotQuoted) {
  scenario::Request req;
  req.header_checks = {{"X-Api-Key", {"expected-key"}}};
  std::string message;
  std::vector<std::pair<std::string, std::string>> headers = {{"x-api-key", "s3cr3t"}};
  EXPECT_TRUE(check_headers(req, headers, message));
  EXPECT_EQ(message, "check header X-Api-Key got '***', expected another value");
  headers.clear();
  EXPECT_TRUE(check_headers(req, headers, message));
  EXPECT_EQ(message, "check header X-Api-Key not in the response");
}

TEST(CheckBody, SecretsAreNotQuoted) {
  core::Rng rng(1);
  std::string message;
  for (const char* path : {"$.headers.authorization", "$.user.api_key", "$['token']"}) {
    EXPECT_TRUE(check_body(with_checks({{path, {"expected-key"}}}),
                           R"({"headers":{"authorization":"Bearer s3cr3t"},)"
                           R"("user":{"api_key":"s3cr3t"},"token":"s3cr3t"})",
                           rng, message));
    EXPECT_EQ(message, std::string("check ") + path + ": got '***', expected another value");
  }
  EXPECT_TRUE(check_body(with_checks({{"$.monkey", {"x"}}}), R"({"monkey":"y"})", rng, message));
  EXPECT_EQ(message, "check $.monkey: got 'y', expected x");
}

TEST(CheckText, ContainsAndMatches) {
  scenario::Request req;
  req.body_contains = {"Welcome"};
  req.body_matches.emplace_back("<title>[^<]*Shop</title>");
  std::string message;
  EXPECT_FALSE(check_text(req, "<title>The Shop</title> Welcome", message));
  EXPECT_TRUE(check_text(req, "<title>The Shop</title> Goodbye", message));
  EXPECT_EQ(message, "check body_contains: 'Welcome' is not in the response");
  EXPECT_TRUE(check_text(req, "Welcome <title>Other</title>", message));
  EXPECT_EQ(message,
            "check body_matches: /<title>[^<]*Shop</title>/ matched nothing in the response");
}

TEST(ExtractValue, FromJsonHeaderAndRegex) {
  core::Rng rng(1);
  http::Response resp;
  resp.body = R"(<input name="csrf" value="tok-1"> {"id": 7})";
  resp.headers = {{"Location", "/next?x=1"}};
  std::string message;
  scenario::Extraction header;
  header.var = "loc";
  header.source = scenario::Extraction::Source::kHeader;
  header.header = "location";
  EXPECT_EQ(extract_value(header, resp, rng, message), "/next?x=1");
  scenario::Extraction regex;
  regex.var = "csrf";
  regex.source = scenario::Extraction::Source::kRegex;
  regex.regex.emplace(R"re(name="csrf" value="([^"]+)")re");
  EXPECT_EQ(extract_value(regex, resp, rng, message), "tok-1");
  regex.regex.emplace("value=\"tok-\\d");  // no group: the whole match
  EXPECT_EQ(extract_value(regex, resp, rng, message), "value=\"tok-1");
  regex.regex.emplace("nothing here");
  EXPECT_FALSE(extract_value(regex, resp, rng, message));
  EXPECT_EQ(message, "extract csrf: /nothing here/ matched nothing in the response");
  header.header = "X-Missing";
  EXPECT_FALSE(extract_value(header, resp, rng, message));
  EXPECT_EQ(message, "extract loc: no header X-Missing in the response");
}

TEST(Excerpt, KeepsReportsValidUtf8) {
  EXPECT_EQ(excerpt("plain"), "plain");
  EXPECT_EQ(excerpt("caf\xc3\xa9"), "caf\xc3\xa9");  // valid UTF-8 is kept
  EXPECT_EQ(excerpt("a\xff\xfe"
                    "b"),
            "a\xef\xbf\xbd\xef\xbf\xbd"
            "b");                              // each bad byte: U+FFFD
  EXPECT_EQ(excerpt("\xc3"), "\xef\xbf\xbd");  // a sequence cut short
  EXPECT_EQ(excerpt("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // a surrogate
  // Clipped at 60 bytes, never inside a sequence.
  const std::string long_text = std::string(59, 'x') + "\xc3\xa9" + "tail";
  EXPECT_EQ(excerpt(long_text), std::string(59, 'x') + "\xc3\xa9...");
}

TEST(CheckBody, InvalidUtf8InTheBodyStaysOutOfTheMessage) {
  core::Rng rng(1);
  std::string message;
  auto req = with_checks({{"$.name", {"x"}}});
  EXPECT_TRUE(check_body(req, "{\"name\": \"\xff\xfe\"}", rng, message));
  EXPECT_EQ(message.find('\xff'), std::string::npos) << message;
}

}  // namespace
}  // namespace arrload::engine
