#include "target/server.h"

#include <unistd.h>

#include <cstdio>
#include <stdexcept>

#include "target/server_fixture.h"

namespace arrload::target {
namespace {

using namespace testing_support;  // NOLINT(google-build-using-namespace)
namespace json = boost::json;

TEST_F(TargetServerTest, HealthRoutes) {
  json::value h = get_json("/health");
  EXPECT_EQ(h.at("status"), "healthy");
  EXPECT_EQ(h.at("services").as_object().size(), 4u);
  EXPECT_EQ(h.at("services").at("sonarr").at("circuit_breaker_state"), "closed");
  EXPECT_TRUE(h.at("timestamp").is_string());
  EXPECT_EQ(get_json("/ping").at("message"), "pong");
  EXPECT_EQ(get_json("/health/ready").at("ready"), true);
  EXPECT_EQ(get_json("/health/live").at("alive"), true);
  EXPECT_EQ(get_json("/health/plex").at("healthy"), true);
  get_json("/health/nzbget", 400);
}

TEST_F(TargetServerTest, ShowsAndMovies) {
  json::value shows = get_json("/api/v1/shows/");
  const json::array& series = shows.at("series").as_array();
  EXPECT_GE(series.size(), 100u);
  EXPECT_EQ(shows.at("total").to_number<std::size_t>(), series.size());
  for (const char* key :
       {"id", "title", "year", "tvdb_id", "monitored", "status", "seasons", "episode_count"}) {
    EXPECT_TRUE(series[0].as_object().contains(key)) << key;
  }
  json::value show = get_json("/api/v1/shows/3");
  EXPECT_EQ(show.at("id"), 3);
  EXPECT_TRUE(show.at("seasons").is_array());
  EXPECT_EQ(get_json("/api/v1/shows/999999", 404).at("detail"), "Series not found");
  EXPECT_EQ(get_json("/api/v1/shows/abc", 422).at("detail").at(0).at("loc").at(1), "id");

  json::value movies = get_json("/api/v1/movies/");
  EXPECT_GE(movies.at("movies").as_array().size(), 100u);
  for (const char* key : {"id", "title", "year", "tmdb_id", "monitored", "has_file", "status"}) {
    EXPECT_TRUE(movies.at("movies").at(0).as_object().contains(key)) << key;
  }
  EXPECT_EQ(get_json("/api/v1/movies/7").at("id"), 7);
  EXPECT_EQ(get_json("/api/v1/movies/0", 404).at("detail"), "Movie not found");
}

TEST_F(TargetServerTest, Downloads) {
  json::value queue = get_json("/api/v1/downloads/queue");
  EXPECT_FALSE(queue.at("queue").as_array().empty());
  for (const char* key :
       {"nzo_id", "filename", "status", "percentage", "mb_left", "mb", "timeleft", "cat"}) {
    EXPECT_TRUE(queue.at("queue").at(0).as_object().contains(key)) << key;
  }
  EXPECT_TRUE(queue.at("speed").is_string());
  EXPECT_EQ(queue.at("paused"), false);
  json::value status = get_json("/api/v1/downloads/status");
  for (const char* key : {"version", "paused", "speed", "disk_free"}) {
    EXPECT_TRUE(status.as_object().contains(key)) << key;
  }
  EXPECT_EQ(get_json("/api/v1/downloads/history?limit=5").at("history").as_array().size(), 5u);
}

TEST_F(TargetServerTest, NotFoundMethodNotAllowedAndSlashRedirect) {
  EXPECT_EQ(get_json("/api/v2/nothing", 404).at("detail"), "Not Found");
  http::Response r = call("DELETE", "/health");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.body, R"({"detail":"Method Not Allowed"})");

  const std::string host = "127.0.0.1:" + std::to_string(server_->port());
  RawResult raw =
      raw_exchange(server_->port(), "GET /api/v1/shows?x=1 HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
  EXPECT_EQ(raw.response.result_int(), 307);
  EXPECT_EQ(raw.response["Location"], "http://" + host + "/api/v1/shows/?x=1");
}

TEST_F(TargetServerTest, ContentRequestThenStatus) {
  http::Response created = call("POST", "/api/v1/requests/content", R"({"query":"Dune 2021"})");
  ASSERT_EQ(created.status, 201) << created.body;
  json::value c = json::parse(created.body);
  EXPECT_EQ(c.at("status"), "submitted");
  EXPECT_EQ(c.at("query"), "Dune 2021");
  EXPECT_TRUE(c.at("search_results").is_null());
  EXPECT_EQ(c.at("classification").at("year"), 2021);
  EXPECT_EQ(std::string_view(c.at("correlation_id").as_string()).substr(0, 4), "req_");

  const std::string id = std::to_string(c.at("id").to_number<long long>());
  json::value s = get_json("/api/v1/requests/" + id + "/status");
  EXPECT_EQ(s.at("id"), c.at("id"));
  EXPECT_EQ(s.at("correlation_id"), c.at("correlation_id"));
  for (const char* key : {"status", "external_id", "created_at", "updated_at", "completed_at"}) {
    EXPECT_TRUE(s.as_object().contains(key)) << key;
  }
  get_json("/api/v1/requests/424242/status", 404);
}

TEST_F(TargetServerTest, ContentRequestValidation) {
  EXPECT_EQ(call("POST", "/api/v1/requests/content", R"({"user_id":"u"})").status, 422);
  EXPECT_EQ(call("POST", "/api/v1/requests/content", R"({"query":7})").status, 422);
  EXPECT_EQ(call("POST", "/api/v1/requests/content", "{not json").status, 422);
  EXPECT_EQ(call("POST", "/api/v1/requests/content", "").status, 422);
  http::Response empty = call("POST", "/api/v1/requests/content", R"({"query":"  "})");
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(empty.body, R"({"detail":"Query cannot be empty"})");
}

TEST_F(TargetServerTest, DiagnosticRoutes) {
  EXPECT_EQ(call("GET", "/__target/status/503").status, 503);
  EXPECT_EQ(call("GET", "/__target/status/204").status, 204);
  http::Response slept = call("GET", "/__target/sleep/120");
  EXPECT_EQ(slept.status, 200);
  EXPECT_GE(slept.latency_us, 120'000);

  const Headers headers{{"X-Custom", "v"}};
  http::Response echo = call("PUT", "/__target/echo?a=1", R"({"k":1})", &headers);
  json::value e = json::parse(echo.body);
  EXPECT_EQ(e.at("method"), "PUT");
  EXPECT_EQ(e.at("path"), "/__target/echo");
  EXPECT_EQ(e.at("query"), "a=1");
  EXPECT_EQ(e.at("headers").at("x-custom"), "v");
  EXPECT_EQ(e.at("body"), R"({"k":1})");

  http::Response closed = call("GET", "/__target/close");
  EXPECT_EQ(closed.status, 0);
  EXPECT_EQ(closed.error, core::NetError::kConnectionReset);

  json::value stats = get_json("/__target/stats");
  EXPECT_GE(stats.at("requests_served").to_number<long long>(), 4);  // the close is not served
  EXPECT_GE(stats.at("open_connections").to_number<long long>(), 1);
  EXPECT_GT(stats.at("rss_bytes").to_number<long long>(), 1'000'000);
}

TEST_F(TargetServerTest, ServerWideHeaders) {
  const std::string host = "Host: x\r\n";
  RawResult echoed = raw_exchange(
      server_->port(), "GET /ping HTTP/1.1\r\n" + host + "X-Request-ID: abc-123\r\n\r\n");
  EXPECT_EQ(echoed.response.result_int(), 200);
  EXPECT_EQ(echoed.response["X-Request-ID"], "abc-123");
  EXPECT_EQ(echoed.response["Content-Type"], "application/json");

  RawResult fresh = raw_exchange(server_->port(), "GET /nope HTTP/1.1\r\n" + host + "\r\n");
  EXPECT_EQ(fresh.response["X-Request-ID"].size(), 8u);
  const std::string_view time = fresh.response["X-Process-Time"];
  ASSERT_EQ(time.size(), 5u);  // "0.000"
  EXPECT_EQ(time[1], '.');
  EXPECT_EQ(fresh.response["Content-Type"], "application/json");
}

TEST_F(TargetServerTest, MalformedRequestIs400AndClose) {
  RawResult r = raw_exchange(server_->port(), "THIS IS NOT HTTP\r\n\r\n", true);
  EXPECT_EQ(r.response.result_int(), 400);
  EXPECT_TRUE(r.closed);
  r = raw_exchange(server_->port(), "GET / HTTP/1.1\r\nContent-Length: banana\r\n\r\n", true);
  EXPECT_EQ(r.response.result_int(), 400);
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(get_json("/ping").at("message"), "pong");  // still serving
}

TEST_F(TargetServerTest, OversizeBodyIs413) {
  const std::string big(2u << 20, 'x');
  http::Response r = call("POST", "/__target/echo", big);
  EXPECT_EQ(r.error, core::NetError::kNone) << r.error_detail;
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(call("POST", "/__target/echo", std::string(1000, 'y')).status, 200);
}

TEST_F(TargetServerTest, HeadHasNoBodyAndKeepsTheConnection) {
  http::Response head = call("HEAD", "/ping");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body_bytes, 0u);
  // A body after the HEAD response would corrupt the next response on the connection.
  EXPECT_EQ(get_json("/ping").at("message"), "pong");
}

TEST_F(TargetServerTest, LatencyScaleZeroIsFastAndOneIsNot) {
  auto time_health = [this] {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 20; ++i) EXPECT_EQ(call("GET", "/health").status, 200);
    return std::chrono::steady_clock::now() - start;
  };
  EXPECT_LT(time_health(), std::chrono::milliseconds(200));
  session_.reset();
  start(/*latency_scale=*/1.0);
  EXPECT_GE(time_health(), std::chrono::milliseconds(40));  // 20 x 2 ms
}

TEST_F(TargetServerTest, StopIsIdempotentAndClosesConnections) {
  EXPECT_EQ(call("GET", "/ping").status, 200);
  server_->stop();
  server_->stop();
  http::Response r = call("GET", "/ping");
  EXPECT_NE(r.error, core::NetError::kNone);
}

TEST_F(TargetServerTest, DatabaseFileKeepsDataAcrossRestarts) {
  char name[] = "/tmp/arrload-target-test-XXXXXX";
  const int fd = mkstemp(name);
  ASSERT_GE(fd, 0);
  close(fd);
  Options o = test_options();
  o.db_path = name;
  start_with(o);
  http::Response created = call("POST", "/api/v1/requests/content", R"({"query":"Dune 2021"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(call("PUT", "/api/v1/onboarding/step", R"({"step":"service_config"})").status, 200);
  start_with(o);  // a new server on the same file
  EXPECT_EQ(get_json("/api/v1/requests/1/status").at("query"), "Dune 2021");
  EXPECT_EQ(get_json("/api/v1/requests").at("total"), 1);
  EXPECT_EQ(get_json("/api/v1/onboarding/status").at("current_step"), "service_config");
  session_.reset();
  server_.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((std::string(name) + suffix).c_str());
}

TEST_F(TargetServerTest, UnusableDatabaseIsAClearError) {
  Options o = test_options();
  o.db_path = "/nonexistent-dir/target.db";
  Server bad(o);
  try {
    bad.start();
    FAIL() << "expected the database to be unusable";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/target.db"), std::string::npos)
        << e.what();
  }
}

TEST_F(TargetServerTest, BadFaultKnobIsAClearError) {
  Options o = test_options();
  o.faults.error_ratio_read = 1.5;
  EXPECT_THROW(Server(o).start(), std::runtime_error);
  o.faults.error_ratio_read = 0.5;
  o.faults.error_status = 404;
  EXPECT_THROW(Server(o).start(), std::runtime_error);
}

// The admin endpoint changes the faults for everyone: off (404, every method) unless
// Options::admin; /metrics stays on either way.
TEST_F(TargetServerTest, AdminEndpointIsOffByDefault) {
  Options o = test_options();
  o.admin = false;
  EXPECT_FALSE(Options{}.admin);
  start_with(o);
  EXPECT_EQ(call("GET", "/__target/faults").status, 404);
  EXPECT_EQ(call("PUT", "/__target/faults", R"({"added_latency_ms":30})").status, 404);
  EXPECT_EQ(call("POST", "/__target/faults", R"({"reset_ratio":1})").status, 404);
  EXPECT_EQ(call("DELETE", "/__target/faults").status, 404);
  EXPECT_EQ(call("GET", "/metrics").status, 200);
  EXPECT_EQ(call("GET", "/ping").status, 200);  // the PUT above changed nothing
  o.admin = true;
  start_with(o);
  EXPECT_EQ(call("GET", "/__target/faults").status, 200);
  EXPECT_EQ(call("PUT", "/__target/faults", R"({"added_latency_ms":30})").status, 200);
}

TEST_F(TargetServerTest, BindFailureIsAClearError) {
  Options o;
  o.port = server_->port();
  Server second(o);
  try {
    second.start();
    FAIL() << "expected the port to be in use";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(o.port)), std::string::npos) << e.what();
  }
  Options bad;
  bad.bind = "not an address";
  EXPECT_THROW(Server(bad).start(), std::runtime_error);
}

}  // namespace
}  // namespace arrload::target
