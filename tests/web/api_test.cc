#include "web/api.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include <gtest/gtest.h>

#include "support/snapshots.h"

namespace arrload::web {
namespace {

using test_support::two_endpoints_snapshot;

// The exact text of /stats/requests' rows: Locust's field names, in order, then ours.
TEST(StatsRequestsJson, RowsAsWritten) {
  const stats::Snapshot snap = two_endpoints_snapshot();
  const std::string body =
      stats_requests_json(&snap, RunState::kRunning, nullptr, "http://127.0.0.1:1", "");
  const std::size_t begin = body.find("\"stats\":[");
  ASSERT_NE(begin, std::string::npos);
  EXPECT_EQ(
      body.substr(begin, body.find(']', begin) - begin),
      R"("stats":[{"method":"POST","name":"/a","category":"","num_requests":1,)"
      R"("num_failures":1,"min_response_time":2.5E0,"max_response_time":2.5E0,)"
      R"("avg_response_time":2.5E0,"median_response_time":2.5E0,"current_rps":1E0,)"
      R"("current_fail_per_sec":1E0,"total_rps":1E-1,"total_fail_per_sec":1E-1,)"
      R"("response_time_percentile_0.95":2.5E0,"response_time_percentile_0.99":2.5E0,)"
      R"("avg_content_length":7E0},{"method":"GET","name":"/b","category":"",)"
      R"("num_requests":4,"num_failures":0,"min_response_time":1.5E0,"max_response_time":6E0,)"
      R"("avg_response_time":3.75E0,"median_response_time":3.001E0,"current_rps":4E0,)"
      R"("current_fail_per_sec":0E0,"total_rps":4E-1,"total_fail_per_sec":0E0,)"
      R"("response_time_percentile_0.95":6E0,"response_time_percentile_0.99":6E0,)"
      R"("avg_content_length":1E1},{"method":"","name":"Aggregated","category":"",)"
      R"("num_requests":5,"num_failures":1,"min_response_time":1.5E0,"max_response_time":6E0,)"
      R"("avg_response_time":3.5E0,"median_response_time":3.001E0,"current_rps":5E0,)"
      R"("current_fail_per_sec":1E0,"total_rps":5E-1,"total_fail_per_sec":1E-1,)"
      R"("response_time_percentile_0.95":6E0,"response_time_percentile_0.99":6E0,)"
      R"("avg_content_length":9.4E0})");
}

// A Control that has run nothing and counts what it is asked to do.
class IdleControl : public Control {
 public:
  std::string swarm(const SwarmRequest&) override { return "not here"; }
  bool stop() override {
    ++stops;
    return false;
  }
  void reset_stats() override {}
  RunState state() const override { return RunState::kReady; }
  std::optional<stats::Snapshot> snapshot() const override { return std::nullopt; }
  std::optional<budget::Verdict> verdict() const override { return std::nullopt; }
  std::string host() const override { return ""; }
  std::vector<std::string> profiles() const override { return {"smoke"}; }
  std::string last_error() const override { return ""; }
  Timeline timeline() const override { return {}; }
  std::optional<std::string> report_html() const override { return std::nullopt; }
  std::optional<std::string> report_json() const override { return std::nullopt; }
  std::vector<ClassTasks> tasks() const override { return {}; }
  std::optional<std::string> full_history_csv() const override { return std::nullopt; }

  int stops = 0;
};

HttpResponse answer(IdleControl& control, std::string method, std::string target) {
  return handle(control, HttpRequest{std::move(method), std::move(target), "", ""}, "<html>");
}

TEST(Handle, RoutesByPathAndMethod) {
  IdleControl control;
  EXPECT_EQ(answer(control, "GET", "/").body, "<html>");
  EXPECT_EQ(answer(control, "HEAD", "/").status, 200);
  EXPECT_EQ(answer(control, "GET", "/profiles/?x=1").body, R"(["smoke"])");
  EXPECT_EQ(answer(control, "GET", "/stop").status, 200);
  EXPECT_EQ(control.stops, 1);
  EXPECT_EQ(answer(control, "POST", "/swarm").status, 400);  // no form
  EXPECT_EQ(answer(control, "GET", "/exceptions/csv").content_type, "text/csv; charset=utf-8");
}

// A Control in the middle of a run, for /metrics.
class RunningControl : public IdleControl {
 public:
  RunState state() const override { return RunState::kRunning; }
  std::optional<stats::Snapshot> snapshot() const override { return two_endpoints_snapshot(); }
  report::MetricsInfo metrics_info() const override {
    report::MetricsInfo info;
    info.target_resident_bytes = 4096;
    return info;
  }
};

TEST(Handle, MetricsAreThePrometheusTextOfTheNewestSnapshot) {
  RunningControl control;
  const HttpResponse r = answer(control, "GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("arrload_requests_total{method=\"GET\",name=\"/b\"} 4\n"),
            std::string::npos);
  EXPECT_NE(r.body.find("arrload_run_state{state=\"running\"} 1\n"), std::string::npos);
  EXPECT_NE(r.body.find("arrload_target_resident_memory_bytes 4096\n"), std::string::npos);
  EXPECT_NE(r.body.find("process_cpu_seconds_total "), std::string::npos);
  // Before any run: the state and the process alone.
  IdleControl idle;
  const HttpResponse before = answer(idle, "GET", "/metrics");
  EXPECT_NE(before.body.find("arrload_run_state{state=\"ready\"} 1\n"), std::string::npos);
  EXPECT_EQ(before.body.find("arrload_requests_total"), std::string::npos);
}

TEST(Handle, KnownPathWithAnotherMethodIs405UnknownPathIs404) {
  IdleControl control;
  for (const char* path : {"/", "/stop", "/stats/requests", "/exceptions/csv"}) {
    const HttpResponse r = answer(control, "POST", path);
    EXPECT_EQ(r.status, 405) << path;
    EXPECT_NE(r.body.find("method not allowed"), std::string::npos) << path;
  }
  EXPECT_EQ(answer(control, "GET", "/swarm").status, 405);
  EXPECT_EQ(control.stops, 0);
  const HttpResponse missing = answer(control, "GET", "/nowhere");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("not found: /nowhere"), std::string::npos);
}

}  // namespace
}  // namespace arrload::web

namespace arrload::web {
namespace {

// A nested group, as Locust reports it: per class, the group's tasks share the group's picks
// (2:1 -> 2/3, 1/3); in total, their share of all of the class's picks times the class's share.
TEST(TasksJson, NestedGroupsAreRelativePerClassAndAbsoluteInTotal) {
  std::vector<scenario::TaskShare> tasks = {
      {"Browse", 0.25, {{"a", 0.25 * 2 / 3, {}}, {"stop", 0.25 / 3, {}}}}, {"index", 0.75, {}}};
  const std::string body = tasks_json({ClassTasks{"Web", 0.5, tasks}});
  const boost::json::value v = boost::json::parse(body);
  const auto& per_class = v.at("per_class").at("Web").at("tasks");
  EXPECT_DOUBLE_EQ(per_class.at("Browse").at("ratio").as_double(), 0.25);
  EXPECT_DOUBLE_EQ(per_class.at("Browse").at("tasks").at("a").at("ratio").as_double(), 2.0 / 3);
  const auto& total = v.at("total").at("Web").at("tasks");
  EXPECT_DOUBLE_EQ(total.at("Browse").at("ratio").as_double(), 0.125);
  EXPECT_DOUBLE_EQ(total.at("Browse").at("tasks").at("stop").at("ratio").as_double(), 0.5 / 12);
}

}  // namespace
}  // namespace arrload::web
