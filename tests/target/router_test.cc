#include "target/router.h"

#include <gtest/gtest.h>

namespace arrload::target {
namespace {

Handler echo_params(std::string name) {
  return [name = std::move(name)](const Request& req) {
    Response res;
    res.body = name + ":" + std::string(req.param("id")) + ":" + std::string(req.param("x"));
    return res;
  };
}

Request make(std::string_view method, std::string_view path, std::string_view query = "") {
  Request req;
  req.method = method;
  req.path = path;
  req.query = query;
  req.headers = {{"Host", "example:8088"}};
  return req;
}

class RouterTest : public testing::Test {
 protected:
  void SetUp() override {
    router_.add("GET", "/health", 2, echo_params("health"));
    router_.add("GET", "/api/v1/shows/", 5, echo_params("shows"));
    router_.add("GET", "/api/v1/shows/{id}", 5, echo_params("show"));
    router_.add("POST", "/api/v1/requests/content", 20, echo_params("create"));
    router_.add("GET", "/api/v1/requests/{id}/status", 5, echo_params("status"));
    router_.add("GET", "/a/{id}/b/{x}", 0, echo_params("two"));
    router_.add("*", "/echo", 0, echo_params("echo"));
  }
  Response dispatch(std::string_view method, std::string_view path, std::string_view query = "") {
    Request req = make(method, path, query);
    return router_.dispatch(req);
  }
  std::string header(const Response& res, std::string_view name) {
    for (const auto& [n, v] : res.headers) {
      if (n == name) return v;
    }
    return "<none>";
  }
  Router router_;
};

TEST_F(RouterTest, MatchesLiteralAndParameterSegments) {
  EXPECT_EQ(dispatch("GET", "/health").body, "health::");
  EXPECT_EQ(dispatch("GET", "/api/v1/shows/").body, "shows::");
  EXPECT_EQ(dispatch("GET", "/api/v1/shows/42").body, "show:42:");
  EXPECT_EQ(dispatch("GET", "/api/v1/requests/7/status").body, "status:7:");
  EXPECT_EQ(dispatch("GET", "/a/1/b/2").body, "two:1:2");
  EXPECT_EQ(dispatch("POST", "/api/v1/requests/content").body, "create::");
}

TEST_F(RouterTest, AppliesTheRouteDelay) {
  EXPECT_EQ(dispatch("GET", "/health").model_delay_ms, 2);
  EXPECT_EQ(dispatch("POST", "/api/v1/requests/content").model_delay_ms, 20);
  EXPECT_EQ(dispatch("GET", "/nope").model_delay_ms, 0);
}

TEST_F(RouterTest, UnknownPathIs404) {
  for (const char* path : {"/nope", "/api/v1/shows/1/2", "/a/1/b", "/", "/api/v1/requests/"}) {
    Response res = dispatch("GET", path);
    EXPECT_EQ(res.status, 404) << path;
    EXPECT_EQ(res.body, R"({"detail":"Not Found"})") << path;
  }
}

TEST_F(RouterTest, KnownPathWithOtherMethodIs405) {
  Response res = dispatch("DELETE", "/api/v1/shows/3");
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.body, R"({"detail":"Method Not Allowed"})");
  EXPECT_EQ(header(res, "Allow"), "GET");
  EXPECT_EQ(dispatch("GET", "/api/v1/requests/content").status, 405);
}

TEST_F(RouterTest, AnyMethodAndHeadOnGet) {
  EXPECT_EQ(dispatch("PATCH", "/echo").body, "echo::");
  EXPECT_EQ(dispatch("HEAD", "/health").status, 200);
}

TEST_F(RouterTest, TogglesTrailingSlashWith307) {
  Response res = dispatch("GET", "/api/v1/shows", "page=2");
  EXPECT_EQ(res.status, 307);
  EXPECT_EQ(header(res, "Location"), "http://example:8088/api/v1/shows/?page=2");
  res = dispatch("GET", "/health/");
  EXPECT_EQ(res.status, 307);
  EXPECT_EQ(header(res, "Location"), "http://example:8088/health");
  res = dispatch("GET", "/api/v1/shows/5/");
  EXPECT_EQ(header(res, "Location"), "http://example:8088/api/v1/shows/5");
}

TEST_F(RouterTest, GateRunsBeforeTheHandlerWithTheRouteGroup) {
  router_.add("GET", "/grouped", RouteGroup::kWrite, 20, echo_params("grouped"));
  std::vector<RouteGroup> seen;
  router_.set_gate([&seen](RouteGroup group, const Request&) -> std::optional<Response> {
    seen.push_back(group);
    if (group != RouteGroup::kWrite) return std::nullopt;
    return error_response(503, "gated");
  });
  Response gated = dispatch("GET", "/grouped");
  EXPECT_EQ(gated.status, 503);
  EXPECT_EQ(gated.group, RouteGroup::kWrite);
  EXPECT_EQ(gated.model_delay_ms, 20);  // the route's cost still applies
  EXPECT_EQ(dispatch("GET", "/health").body, "health::");
  EXPECT_EQ(dispatch("GET", "/health").group, RouteGroup::kInternal);  // added without a group
  EXPECT_EQ(dispatch("GET", "/nope").status, 404);                     // no route, no gate
  EXPECT_EQ(seen.size(), 3u);
}

TEST(RequestTest, HeaderLookupIgnoresCase) {
  Request req = make("GET", "/");
  req.headers.emplace_back("X-Request-ID", "abc");
  EXPECT_EQ(req.header("x-request-id"), "abc");
  EXPECT_EQ(req.header("host"), "example:8088");
  EXPECT_EQ(req.header("missing"), "");
}

TEST(RequestTest, QueryParametersAreDecoded) {
  Request req = make("GET", "/", "limit=5&q=hello+big%20world&flag&empty=");
  EXPECT_EQ(req.query_param("limit"), "5");
  EXPECT_EQ(req.query_param("q"), "hello big world");
  EXPECT_EQ(req.query_param("flag"), "");
  EXPECT_EQ(req.query_param("empty"), "");
  EXPECT_EQ(req.query_param("nope"), std::nullopt);
}

TEST(ErrorResponse, IsFastApiShaped) {
  Response res = error_response(404, "Series \"x\" not found");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.body, R"({"detail":"Series \"x\" not found"})");
}

}  // namespace
}  // namespace arrload::target
