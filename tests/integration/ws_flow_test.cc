// End to end: WebSocket steps through the real binary, against the real target's /api/v1/ws and
// /api/v1/logs/stream and against a scripted server that closes connections.
#include <gtest/gtest.h>

#include "integration/harness.h"
#include "ws/ws_test_server.h"

namespace arrload::testing {
namespace {

class WsFlowTest : public TargetTest {
 protected:
  static long count(const std::string& csv, const std::string& name, int column = 2) {
    auto row = stats_row(csv, name, "WS");
    return row.empty() ? 0 : std::stol(row[static_cast<std::size_t>(column)]);
  }
  static long failures(const std::string& csv, const std::string& name) {
    return count(csv, name, 3);
  }
};

TEST_F(WsFlowTest, ConnectAckEventsAndLogsAreSamples) {
  std::string scenario = dir_.write("ws.yaml", R"(
users:
  - name: Events
    fixed_count: 1
    wait: constant(0.05)
    on_start:
      - {ws: connect, path: /api/v1/ws, await: connection}
    tasks:
      - requests:
          - {ws: send, json: {type: ping, n: "{{ counter }}"}, await: ack}
          - {ws: listen, duration: 50ms}
  - name: Logs
    fixed_count: 1
    on_start:
      - {ws: connect, path: /api/v1/logs/stream, name: logs}
    tasks:
      - request: {ws: listen, duration: 30s}   # ends early when the run stops
  - name: Writer
    fixed_count: 1
    wait: constant(0.1)
    tasks:
      - request: {method: POST, path: /api/v1/requests/content, json: {query: Dune}, expect: 201}
)");
  auto r = run_arrload({"run", "--headless", "-f", scenario, "--host", host_, "-u", "3", "-r", "10",
                        "-t", "3s", "--csv", dir_.file("ws"), "--only-summary"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_LT(r.seconds, 15) << "a listening user did not stop";
  std::string stats = read_file(dir_.file("ws_stats.csv"));
  EXPECT_EQ(count(stats, "/api/v1/ws"), 1) << stats;
  EXPECT_EQ(failures(stats, "/api/v1/ws"), 0) << stats;
  EXPECT_GE(count(stats, "/api/v1/ws ack"), 3) << stats;
  EXPECT_EQ(failures(stats, "/api/v1/ws ack"), 0) << stats;
  // The Writer's requests are broadcast to the Events user, which nobody awaits: own rows.
  EXPECT_GE(count(stats, "/api/v1/ws event:content_requested"), 1) << stats;
  EXPECT_EQ(count(stats, "logs"), 1) << stats;
  EXPECT_GE(count(stats, "logs log"), 1) << stats;
  EXPECT_EQ(stats_row(stats, "Aggregated")[3], "0") << stats;
}

TEST_F(WsFlowTest, SendReconnectsAfterTheServerClosed) {
  ws::test::WsTestServer server(ws::test::Script{.close_after = 2});
  std::string scenario = dir_.write("reconnect.yaml", R"(
users:
  - name: Chatty
    wait: constant(0.05)
    on_start:
      - {ws: connect, path: /socket, await: connection}
    tasks:
      - request: {ws: send, body: hello, await: ack}
)");
  auto r = run_arrload({"run", "--headless", "-f", scenario, "--host",
                        "http://127.0.0.1:" + std::to_string(server.port()), "-u", "1", "-t", "2s",
                        "--csv", dir_.file("re"), "--only-summary"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string stats = read_file(dir_.file("re_stats.csv"));
  EXPECT_GE(count(stats, "/socket"), 2) << stats;
  EXPECT_GE(count(stats, "/socket ack"), 4) << stats;
  EXPECT_EQ(stats_row(stats, "Aggregated")[3], "0") << stats;
  EXPECT_GE(server.connections(), 2);
}

TEST_F(WsFlowTest, StopEndsListeningAndOnStopStillSends) {
  std::string scenario = dir_.write("stop.yaml", R"(
users:
  - name: Listener
    on_start:
      - {ws: connect, path: /api/v1/ws, await: connection}
    tasks:
      - request: {ws: listen, duration: 60s}
    on_stop:
      - {ws: send, json: {type: bye}, await: ack, name: bye}
      - {ws: close}
)");
  auto r = run_arrload({"run", "--headless", "-f", scenario, "--host", host_, "-u", "2", "-r", "10",
                        "-t", "1s", "--csv", dir_.file("stop"), "--only-summary", "--stop-timeout",
                        "20s"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_LT(r.seconds, 10) << "listen did not end when the users stopped";
  std::string stats = read_file(dir_.file("stop_stats.csv"));
  EXPECT_EQ(count(stats, "/api/v1/ws"), 2) << stats;
  EXPECT_EQ(count(stats, "bye"), 2) << stats;
  EXPECT_EQ(stats_row(stats, "Aggregated")[3], "0") << stats;
}

TEST_F(WsFlowTest, FailuresAndMisuseAreReported) {
  std::string scenario = dir_.write("bad.yaml", R"(
users:
  - name: WrongPath
    fixed_count: 1
    wait: constant(0.2)
    tasks:
      - request: {ws: connect, path: /api/v1/nowhere, name: nowhere}
  - name: NoConnect
    fixed_count: 1
    wait: constant(0.2)
    tasks:
      - request: {ws: send, body: hi}
)");
  auto r = run_arrload({"run", "--headless", "-f", scenario, "--host", host_, "-u", "2", "-r", "10",
                        "-t", "1s", "--csv", dir_.file("bad"), "--only-summary"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string stats = read_file(dir_.file("bad_stats.csv"));
  EXPECT_GE(failures(stats, "nowhere"), 1) << stats;
  std::string fails = read_file(dir_.file("bad_failures.csv"));
  EXPECT_NE(fails.find("handshake rejected: HTTP 404"), std::string::npos) << fails;
  EXPECT_NE(fails.find("ws send without a ws connect step before it (user class NoConnect)"),
            std::string::npos)
      << fails;
}

}  // namespace
}  // namespace arrload::testing
