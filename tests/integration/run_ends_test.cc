// A run always ends on time and tells the truth, whatever its scenario's data: tasks that end
// without any I/O (a variable never set, a WebSocket step without a connection) must not keep a
// thread from its event loop, and stop (-t, a signal) is honoured between any two tasks.
#include <signal.h>

#include <gtest/gtest.h>

#include "integration/harness.h"

namespace arrload::testing {
namespace {

struct NoIoCase {
  const char* name;
  const char* users;    // the scenario's users: list
  const char* message;  // in failures.csv
};

// Each class ends its task before any I/O on every iteration, with the default `wait: none`.
const NoIoCase kCases[] = {
    {"failed_login_then_header",
     R"(  - name: U
    on_start:
      - {method: POST, path: /nonexistent-login, extract: {token: $.token}}
    tasks:
      - name: use
        request: {path: /api/v1/shows/, headers: {Authorization: "Bearer {{ token }}"}}
)",
     "template variable 'token' is not set (its extract failed)"},
    {"variable_in_path",
     R"(  - name: U
    on_start:
      - {path: /nonexistent, extract: {show: $.id}}
    tasks:
      - {name: show, request: "GET /api/v1/shows/{{ show }}"}
)",
     "template variable 'show' is not set (its extract failed)"},
    {"variable_in_body",
     R"(  - name: U
    on_start:
      - {method: POST, path: /nonexistent-login, extract: {note: $.note}}
    tasks:
      - name: post
        request: {method: POST, path: /api/v1/chat/message, json: {message: "{{ note }}"}}
)",
     "template variable 'note' is not set (its extract failed)"},
    {"extract_that_matches_nothing",
     R"(  - name: U
    on_start:
      - {path: /health, extract: {v: $.no_such_field}}
    tasks:
      - {name: use, request: "GET /api/v1/shows/{{ v }}"}
)",
     "template variable 'v' is not set (its extract failed)"},
    {"ws_send_without_connect",
     R"(  - name: U
    tasks:
      - name: send
        request: {ws: send, body: hello}
)",
     "ws send without a ws connect step before it"},
    {"ws_listen_without_connect",
     R"(  - name: U
    tasks:
      - name: listen
        request: {ws: listen, duration: 1s}
)",
     "ws listen without a ws connect step before it"},
    {"group_of_a_failing_task_and_an_interrupt",
     R"(  - name: U
    on_start:
      - {path: /nonexistent, extract: {id: $.id}}
    tasks:
      - name: inner
        tasks:
          - {name: use, request: "GET /api/v1/movies/{{ id }}"}
          - {interrupt: true}
)",
     "template variable 'id' is not set (its extract failed)"},
};

class RunEndsTest : public TargetTest, public ::testing::WithParamInterface<NoIoCase> {
 protected:
  std::string scenario() {
    return dir_.write("s.yaml", "host: " + host_ + "\nusers:\n" + GetParam().users);
  }
};

TEST_P(RunEndsTest, StopsAtTheRunTimeWithEveryReport) {
  const std::string prefix = dir_.file("out");
  auto r = run_arrload({"run", "-f", scenario(), "-u", "2", "-r", "2", "-t", "2s", "--headless",
                        "--csv", prefix, "--json-file", dir_.file("out.json")},
                       std::chrono::milliseconds(0), SIGTERM, std::chrono::seconds(30));
  // 2 s of load, plus start-up and the stop: a spinning thread never gets here.
  EXPECT_LT(r.seconds, 4.5) << r.err;
  EXPECT_EQ(r.exit_code, 1) << r.err;  // failures, no budgets: --exit-code-on-error
  auto total = stats_row(read_file(prefix + "_stats.csv"), "Aggregated");
  ASSERT_FALSE(total.empty()) << r.err;
  const long failures = std::stol(total[3]);
  EXPECT_GT(failures, 0);
  // Backing off: a user whose every iteration fails before sending waits up to 1 s between
  // them, so 2 users in 2 s record a few dozen such failures, not millions.
  EXPECT_LT(failures, 200) << "the users did not back off";
  const std::string failed = read_file(prefix + "_failures.csv");
  EXPECT_NE(failed.find(GetParam().message), std::string::npos) << failed;
  EXPECT_NE(read_file(dir_.file("out.json")).find("\"stop_reason\":\"run_time\""),
            std::string::npos);
}

TEST_P(RunEndsTest, OneSigintStopsItAndTheVerdictSaysInterrupted) {
  const std::string prefix = dir_.file("cut");
  auto r = run_arrload({"run", "-f", scenario(), "-u", "2", "-r", "2", "-t", "60s", "--headless",
                        "--csv", prefix, "--json-file", dir_.file("cut.json")},
                       std::chrono::milliseconds(1500), SIGINT, std::chrono::seconds(30));
  EXPECT_LT(r.seconds, 3.5) << r.err;
  EXPECT_EQ(r.exit_code, 105) << r.err;
  EXPECT_NE(r.out.find("INTERRUPTED (results are partial"), std::string::npos) << r.out;
  EXPECT_FALSE(stats_row(read_file(prefix + "_stats.csv"), "Aggregated").empty()) << r.err;
  const std::string json = read_file(dir_.file("cut.json"));
  EXPECT_NE(json.find("\"interrupted\":true"), std::string::npos) << json;
  EXPECT_NE(json.find("\"stop_reason\":\"signal\""), std::string::npos) << json;
}

INSTANTIATE_TEST_SUITE_P(NoIo, RunEndsTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<NoIoCase>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace arrload::testing
