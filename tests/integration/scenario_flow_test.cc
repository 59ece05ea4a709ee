// End to end: task groups, sequences, on_start/on_stop, extraction and stop timeouts, through the
// real binary and the real target.
#include <regex>

#include <gtest/gtest.h>

#include "integration/harness.h"
#include "target/server.h"

namespace arrload::testing {
namespace {

class FlowTest : public TargetTest {
 protected:
  long count(const std::string& csv, const std::string& name) {
    auto row = stats_row(csv, name);
    return row.empty() ? 0 : std::stol(row[2]);
  }
};

TEST_F(FlowTest, ExtractionFeedsTheNextRequestAndWritesPersist) {
  std::string scenario = dir_.write("flow.yaml", R"(
data:
  queries: [Breaking Bad, Dune]
users:
  - name: Browser
    wait: constant(0.02)
    tasks:
      - name: detail
        requests:
          - path: /api/v1/shows/
            extract: {show_id: "$.series[*].id"}
          - {path: "/api/v1/shows/{{ show_id }}", name: "/api/v1/shows/[id]", expect: [200]}
      - name: request
        requests:
          - method: POST
            path: /api/v1/requests/content
            json: {query: "{{ choice(queries) }}"}
            expect: [201]
            extract: {request_id: "$.id"}
          - {path: "/api/v1/requests/{{ request_id }}/status", name: "/api/v1/requests/[id]/status", expect: [200]}
)");
  auto r = run_arrload({"run", "--headless", "-f", scenario, "--host", host_, "-u", "3", "-r", "10",
                        "-t", "2s", "--csv", dir_.file("flow"), "--only-summary"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string stats = read_file(dir_.file("flow_stats.csv"));
  // Counts stay low on purpose: under ASan on a busy 2-core machine a request can take 50 ms.
  EXPECT_GE(count(stats, "/api/v1/shows/[id]"), 3) << stats;
  EXPECT_GE(count(stats, "/api/v1/requests/[id]/status"), 3) << stats;
  EXPECT_EQ(stats_row(stats, "Aggregated")[3], "0");
}

TEST_F(FlowTest, UnsetVariableFailsTheRequestWithoutSendingIt) {
  std::string scenario = dir_.write("unset.yaml", R"(
users:
  - name: Broken
    wait: constant(0.05)
    tasks:
      - name: detail
        requests:
          - path: /ping
            extract: {show_id: "$.no_such_field"}
          - {path: "/api/v1/shows/{{ show_id }}", name: detail}
)");
  auto r = run_arrload({"run", "--headless", "-f", scenario, "--host", host_, "-u", "1", "-t", "1s",
                        "--csv", dir_.file("unset"), "--only-summary"});
  EXPECT_EQ(r.exit_code, 1);
  std::string stats = read_file(dir_.file("unset_stats.csv"));
  auto detail = stats_row(stats, "detail");
  ASSERT_FALSE(detail.empty()) << stats;
  EXPECT_GT(std::stol(detail[2]), 0) << stats;
  EXPECT_EQ(detail[2], detail[3]) << "every detail request fails: " << stats;
  EXPECT_EQ(detail[7], "0") << "never sent: its max latency is 0: " << stats;
  std::string failures = read_file(dir_.file("unset_failures.csv"));
  EXPECT_NE(failures.find("extract show_id"), std::string::npos) << failures;
  EXPECT_NE(failures.find("template variable 'show_id' is not set (its extract failed)"),
            std::string::npos)
      << failures;
}

TEST_F(FlowTest, GroupsSequencesAndLifecycleSteps) {
  std::string scenario = dir_.write("groups.yaml", R"(
users:
  - name: Walker
    wait: none
    on_start: [GET /health/live]
    on_stop: [GET /health/ready]
    tasks:
      - name: outside
        request: {path: /ping, name: outside}
      - name: inside
        sequential: true
        on_start: [{path: /ping, name: group_start}]
        on_stop: [{path: /ping, name: group_stop}]
        tasks:
          - request: {path: /ping, name: step1}
          - request: {path: /ping, name: step2}
          - interrupt: true
)");
  auto r =
      run_arrload({"run", "--headless", "-f", scenario, "--host", host_, "-u", "2", "-r", "10",
                   "-t", "2s", "--csv", dir_.file("g"), "--only-summary", "--stop-timeout", "2s"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string stats = read_file(dir_.file("g_stats.csv"));
  EXPECT_EQ(count(stats, "/health/live"), 2) << stats;   // on_start once per user
  EXPECT_EQ(count(stats, "/health/ready"), 2) << stats;  // on_stop once per user
  long start = count(stats, "group_start"), s1 = count(stats, "step1"), s2 = count(stats, "step2");
  EXPECT_GE(start, 3);
  // In order: every entry runs step1 then step2 then leaves; a stop may cut the last pass short.
  EXPECT_LE(s1 - s2, 2);
  EXPECT_LE(start - s1, 2);
  EXPECT_LE(start - count(stats, "group_stop"), 2);
  EXPECT_GE(count(stats, "outside"), 3);
}

TEST_F(FlowTest, StopTimeoutLetsTheTaskFinish) {
  std::string scenario = dir_.write("slow.yaml", R"(
users:
  - name: Slow
    wait: none
    tasks:
      - requests:
          - {path: /__target/sleep/1500, name: slow}
          - {path: /ping, name: after}
)");
  // Without --stop-timeout the request in flight at the end is abandoned: 'after' never runs.
  auto cut = run_arrload({"run", "--headless", "-f", scenario, "--host", host_, "-u", "1", "-t",
                          "1s", "--csv", dir_.file("cut"), "--only-summary"});
  EXPECT_EQ(cut.exit_code, 0) << cut.err;
  std::string cut_stats = read_file(dir_.file("cut_stats.csv"));
  EXPECT_EQ(count(cut_stats, "slow"), 0);
  EXPECT_EQ(count(cut_stats, "after"), 0);
  // With it, the user finishes its task (both requests) before stopping.
  auto kept =
      run_arrload({"run", "--headless", "-f", scenario, "--host", host_, "-u", "1", "-t", "1s",
                   "--csv", dir_.file("kept"), "--only-summary", "--stop-timeout", "5s"});
  EXPECT_EQ(kept.exit_code, 0) << kept.err;
  std::string kept_stats = read_file(dir_.file("kept_stats.csv"));
  EXPECT_EQ(count(kept_stats, "slow"), 1) << kept_stats;
  EXPECT_EQ(count(kept_stats, "after"), 1) << kept_stats;
}

TEST(DemoTest, DemoRunsAgainstTheEmbeddedTarget) {
  TempDir dir;
  // The issue's check: `arrload demo -t 10s` exits 0 and writes its reports.
  auto r = run_arrload({"demo", "-t", "10s", "--csv", dir.file("demo"), "--json-file",
                        dir.file("demo.json"), "--html", dir.file("demo.html"), "--only-summary"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("scenarios/autoarr (embedded)"), std::string::npos) << r.err;
  EXPECT_FALSE(read_file(dir.file("demo_stats_history.csv")).empty());
  EXPECT_FALSE(read_file(dir.file("demo_failures.csv")).empty());
  std::string stats = read_file(dir.file("demo_stats.csv"));
  auto total = stats_row(stats, "Aggregated");
  ASSERT_FALSE(total.empty()) << stats;
  EXPECT_GT(std::stol(total[2]), 10);
  EXPECT_NE(read_file(dir.file("demo.json")).find("HealthCheckUser"), std::string::npos);
  const std::string html = read_file(dir.file("demo.html"));
  EXPECT_NE(html.find("HealthCheckUser"), std::string::npos);
  EXPECT_NE(html.find("<section id=\"verdict\">"), std::string::npos);
}

}  // namespace
}  // namespace arrload::testing
