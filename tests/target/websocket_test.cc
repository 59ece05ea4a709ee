// The target's WebSocket endpoints over real sockets: /api/v1/ws (greeting, acks, events) and
// /api/v1/logs/stream (backlog, streaming, filters, pings), limits, slow clients and stop().
#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include <boost/json/serialize.hpp>

#include "target/server_fixture.h"
#include "target/ws_test_client.h"

namespace arrload::target {
namespace {

using namespace testing_support;  // NOLINT(google-build-using-namespace)
namespace json = boost::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kEvents = "/api/v1/ws";
constexpr std::string_view kLogs = "/api/v1/logs/stream";

class WebSocketTest : public TargetServerTest {
 protected:
  // Connects to PATH and checks the upgrade worked.
  void connect(WsTestClient& client, std::string_view path, int rcvbuf = 0) {
    ASSERT_TRUE(client.connect(server_->port(), std::string(path), rcvbuf))
        << client.error().message();
  }
  long long stat(const char* name) {
    return get_json("/__target/stats").at(name).to_number<long long>();
  }
  // Polls /__target/stats until NAME equals WANT (up to 2 s); its last value.
  long long wait_stat(const char* name, long long want) {
    long long v = stat(name);
    for (auto until = Clock::now() + std::chrono::seconds(2); v != want && Clock::now() < until;) {
      std::this_thread::sleep_for(milliseconds(10));
      v = stat(name);
    }
    return v;
  }
};

TEST_F(WebSocketTest, GreetsAndAcksEveryTextFrame) {
  WsTestClient client;
  connect(client, kEvents);
  EXPECT_EQ(
      json::serialize(client.read_json()),
      R"({"type":"connection","status":"connected","message":"Connected to AutoArr WebSocket"})");
  for (int i = 0; i < 3; ++i) {
    const auto sent = Clock::now();
    ASSERT_TRUE(client.write("hello " + std::to_string(i)));
    EXPECT_EQ(json::serialize(client.read_json()),
              R"({"type":"ack","message":"Message received"})");
    EXPECT_LT(Clock::now() - sent, milliseconds(500));
  }
}

TEST_F(WebSocketTest, AckWaitsTheAddedLatencyKnob) {
  call_json("PUT", "/__target/faults", R"({"added_latency_ms":150})");
  WsTestClient client;
  connect(client, kEvents);
  client.read_json();
  const auto sent = Clock::now();
  ASSERT_TRUE(client.write("x"));
  EXPECT_EQ(client.read_json().at("type"), "ack");
  EXPECT_GE(Clock::now() - sent, milliseconds(150));
}

TEST_F(WebSocketTest, ContentRequestIsBroadcastToEveryClient) {
  WsTestClient a, b;
  connect(a, kEvents);
  connect(b, kEvents);
  EXPECT_EQ(wait_stat("websocket_connections", 2), 2);
  json::value created =
      call_json("POST", "/api/v1/requests/content", R"({"query":"Add The Silent Kingdom"})", 201);
  for (WsTestClient* c : {&a, &b}) {
    json::value event = c->read_until("event", "content_requested");
    ASSERT_TRUE(event.is_object());
    EXPECT_EQ(event.at("correlation_id"), created.at("correlation_id"));
    EXPECT_EQ(event.at("data").at("id"), created.at("id"));
    EXPECT_EQ(event.at("data").at("correlation_id"), created.at("correlation_id"));
    EXPECT_EQ(event.at("data").at("query"), "Add The Silent Kingdom");
    EXPECT_EQ(event.at("metadata").at("source"), "api");
    const std::string ts(event.at("timestamp").as_string());
    EXPECT_TRUE(std::regex_match(ts, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)")))
        << ts;
  }
}

TEST_F(WebSocketTest, ConfigAuditStartsAndCompletes) {
  WsTestClient client;
  connect(client, kEvents);
  json::value audit =
      call_json("POST", "/api/v1/config/audit", R"({"services":["sonarr","plex"]})", 200);
  json::value started = client.read_until("event", "config_audit_started");
  json::value completed = client.read_until("event", "config_audit_completed");
  ASSERT_TRUE(started.is_object());
  ASSERT_TRUE(completed.is_object());
  EXPECT_EQ(started.at("correlation_id"), audit.at("audit_id"));
  EXPECT_EQ(completed.at("correlation_id"), audit.at("audit_id"));
  EXPECT_EQ(completed.at("data").at("total_recommendations"), audit.at("total_recommendations"));
}

TEST_F(WebSocketTest, UpgradeElsewhereIsNotFound) {
  const std::string upgrade =
      "GET /api/v1/other HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  RawResult raw = raw_exchange(server_->port(), upgrade);
  EXPECT_EQ(raw.response.result_int(), 404);
  EXPECT_EQ(raw.response.body(), R"({"detail":"Not Found"})");
  // The WebSocket paths are not HTTP routes.
  EXPECT_EQ(call("GET", "/api/v1/ws").status, 404);
  EXPECT_EQ(call("GET", "/api/v1/logs/stream").status, 404);
}

TEST_F(WebSocketTest, OversizedMessageClosesWith1009) {
  WsTestClient client;
  connect(client, kEvents);
  client.read_json();
  ASSERT_TRUE(client.write(std::string(70 * 1024, 'x')));
  EXPECT_FALSE(client.read());
  EXPECT_EQ(client.reason().code, 1009) << client.error().message();
  EXPECT_EQ(wait_stat("websocket_connections", 0), 0);
  // A message just under the limit is fine.
  WsTestClient other;
  connect(other, kEvents);
  other.read_json();
  ASSERT_TRUE(other.write(std::string(60 * 1024, 'x')));
  EXPECT_EQ(other.read_json().at("type"), "ack");
}

TEST_F(WebSocketTest, ConnectionsAreCounted) {
  WsTestClient a, b;
  connect(a, kEvents);
  connect(b, kLogs);
  EXPECT_EQ(wait_stat("websocket_connections", 2), 2);
  EXPECT_GE(stat("open_connections"), 3);  // two WebSockets and this request's connection
  a.close();
  b.close();
  EXPECT_EQ(wait_stat("websocket_connections", 0), 0);
  EXPECT_EQ(stat("open_connections"), 1);
}

TEST_F(WebSocketTest, StopClosesWithGoingAway) {
  WsTestClient client;
  connect(client, kEvents);
  client.read_json();
  const auto start = Clock::now();
  std::thread stopper([this] { server_->stop(); });
  EXPECT_FALSE(client.read(milliseconds(3000)));
  stopper.join();
  EXPECT_EQ(client.error(), boost::beast::websocket::error::closed) << client.error().message();
  EXPECT_EQ(client.reason().code, 1001);
  EXPECT_LT(Clock::now() - start, milliseconds(900));  // answered, not the 1 s give-up
}

TEST_F(WebSocketTest, LogsStreamSendsBacklogThenNewEntries) {
  for (int i = 0; i < 30; ++i) get_json("/ping");  // 60 entries, more than the backlog
  WsTestClient client;
  connect(client, kLogs);
  std::vector<json::value> backlog;
  for (int i = 0; i < 50; ++i) backlog.push_back(client.read_json());
  for (const json::value& e : backlog) {
    ASSERT_TRUE(e.is_object());
    EXPECT_EQ(e.at("type"), "log");
    for (const char* key : {"timestamp", "level", "logger_name", "message", "request_id"}) {
      EXPECT_TRUE(e.as_object().contains(key)) << key;
    }
  }
  // Oldest first: starts with a "started" line, ends with the last "completed" one.
  EXPECT_EQ(backlog.front().at("message"), "Request started: GET /ping");
  EXPECT_TRUE(backlog.back().at("message").as_string().starts_with("Request completed: GET /ping"));
  get_json("/api/v1/shows/1");
  json::value next = client.read_json();
  EXPECT_EQ(next.at("message"), "Request started: GET /api/v1/shows/1");
}

TEST_F(WebSocketTest, LogsStreamFilters) {
  WsTestClient client;
  connect(client, kLogs);
  ASSERT_TRUE(client.write(R"({"type":"set_level","level":"warning"})"));
  EXPECT_EQ(json::serialize(client.read_json()),
            R"({"type":"filters_updated","filters":{"level":"WARNING","search":null}})");
  get_json("/ping");
  get_json("/api/v1/shows/99999", 404);
  json::value warning = client.read_json();
  EXPECT_EQ(warning.at("level"), "WARNING");
  EXPECT_TRUE(warning.at("message").as_string().starts_with(
      "Request completed: GET /api/v1/shows/99999 - 404"));

  ASSERT_TRUE(client.write(R"({"type":"clear_filters"})"));
  EXPECT_EQ(json::serialize(client.read_json()),
            R"({"type":"filters_updated","filters":{"level":null,"search":null}})");
  ASSERT_TRUE(client.write(R"({"type":"set_search","search":"MOVIES"})"));
  EXPECT_EQ(client.read_json().at("filters").at("search"), "MOVIES");
  get_json("/ping");
  get_json("/api/v1/movies/2");
  EXPECT_EQ(client.read_json().at("message"), "Request started: GET /api/v1/movies/2");
  EXPECT_TRUE(client.read_json().at("message").as_string().starts_with(
      "Request completed: GET /api/v1/movies/2 - 200"));

  // Bad messages get an error and the stream goes on.
  ASSERT_TRUE(client.write("{not json"));
  json::value error = client.read_json();
  EXPECT_EQ(error.at("type"), "error");
  EXPECT_EQ(error.at("message"), "Invalid JSON message");
  ASSERT_TRUE(client.write(R"({"type":"set_level","level":"LOUD"})"));
  EXPECT_EQ(client.read_json().at("type"), "error");
  ASSERT_TRUE(client.write(R"({"type":"dance"})"));
  EXPECT_EQ(client.read_json().at("message"), "Unknown message type: dance");
  ASSERT_TRUE(client.write(R"({"type":"clear_filters"})"));
  EXPECT_EQ(client.read_json().at("type"), "filters_updated");
}

TEST_F(WebSocketTest, LogsStreamPingsWhenSilent) {
  Options o = test_options();
  o.ws_ping_seconds = 0.3;
  start_with(o);
  WsTestClient client;
  connect(client, kLogs);  // a fresh server: no backlog
  const auto start = Clock::now();
  EXPECT_EQ(json::serialize(client.read_json(milliseconds(3000))), R"({"type":"ping"})");
  EXPECT_GE(Clock::now() - start, milliseconds(250));
}

// A client that never reads must not hold up the server or the other clients; its queue stays
// bounded (the oldest messages are dropped).
TEST_F(WebSocketTest, SlowClientDoesNotBlockOthers) {
  WsTestClient slow, fast;
  connect(slow, kLogs, /*rcvbuf=*/4096);
  connect(fast, kLogs);
  // Long paths make long log lines, so the slow client's socket buffers fill up.
  const std::string path = "/api/v1/nothing/" + std::string(8000, 'a');
  const auto start = Clock::now();
  for (int i = 0; i < 400; ++i) {
    http::Response r = call("GET", path);
    ASSERT_EQ(r.status, 404);
  }
  get_json("/api/v1/shows/5");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(8));
  // The fast client gets everything, up to the last request.
  json::value last;
  for (int i = 0; i < 802 && !(last.is_object() && last.at("message").as_string().find(
                                                       "/api/v1/shows/5") != json::string::npos);
       ++i) {
    last = fast.read_json();
  }
  ASSERT_TRUE(last.is_object());
  EXPECT_EQ(last.at("message"), "Request started: GET /api/v1/shows/5");
  EXPECT_GT(stat("websocket_dropped_messages"), 0);
}

}  // namespace
}  // namespace arrload::target
