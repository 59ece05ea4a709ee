// deploy/grafana/arrload.json: valid JSON Grafana imports (a ${DS_PROMETHEUS} data source), and
// every metric and grouping label its PromQL uses is one arrload's /metrics writer exports (taken
// from an exposition the writer renders, not from a list copied by hand).
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <gtest/gtest.h>

#include "integration/harness.h"
#include "report/prometheus.h"
#include "support/snapshots.h"

namespace arrload::testing::deploy {
namespace {

const std::string kDashboard = std::string(ARRLOAD_SOURCE_DIR) + "/deploy/grafana/arrload.json";

// An exposition with every family the writer has: a scheduled endpoint, errors, users, dropped
// iterations and every info line.
std::string full_exposition() {
  stats::Snapshot snap = test_support::scheduled_snapshot();
  snap.errors.push_back({stats::ErrorKey{"GET", "/open", "boom"}, stats::ErrorCount{1, 1, 1}});
  snap.users_per_class = {{"Pinger", 3}};
  snap.exceptions = {{"KeyError", 1}};
  report::MetricsInfo info;
  info.state = "running";
  info.process_cpu_seconds = 1;
  info.process_resident_bytes = 1;
  info.generator_cpu_cores = 1;
  info.generator_cores = 2;
  info.generator_tick_lag_seconds = 0;
  info.generator_saturated = false;
  info.target_resident_bytes = 1;
  return report::prometheus_text(&snap, info);
}

// Sample names and label names of TEXT.
void names_in(const std::string& text, std::set<std::string>& metrics,
              std::set<std::string>& labels) {
  const std::regex sample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? \S+$)");
  const std::regex label(R"(([a-zA-Z_][a-zA-Z0-9_]*)=")");
  for (const std::string& line : split_lines(text)) {
    std::smatch m;
    if (line.empty() || line[0] == '#' || !std::regex_match(line, m, sample)) continue;
    metrics.insert(m[1]);
    const std::string inside = m[3];
    for (auto it = std::sregex_iterator(inside.begin(), inside.end(), label);
         it != std::sregex_iterator(); ++it) {
      labels.insert((*it)[1]);
    }
  }
}

// Every PromQL expression of the dashboard: the panels' targets and the variables' queries.
std::vector<std::string> expressions(const boost::json::object& dash) {
  std::vector<std::string> out;
  for (const auto& p : dash.at("panels").as_array()) {
    for (const auto& t : p.as_object().at("targets").as_array()) {
      out.emplace_back(t.as_object().at("expr").as_string());
    }
  }
  for (const auto& v : dash.at("templating").as_object().at("list").as_array()) {
    const auto& o = v.as_object();
    if (o.at("type") == "query") {
      out.emplace_back(o.at("query").as_object().at("query").as_string());
    }
  }
  return out;
}

boost::json::object load() {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(read_file(kDashboard), ec);
  EXPECT_FALSE(ec) << kDashboard << ": " << ec.message();
  return v.is_object() ? v.as_object() : boost::json::object{};
}

TEST(GrafanaDashboardTest, IsAGrafanaDashboardOnAPrometheusInput) {
  const boost::json::object dash = load();
  ASSERT_FALSE(dash.empty());
  EXPECT_GE(dash.at("schemaVersion").to_number<int>(), 36);
  EXPECT_EQ(dash.at("__inputs").as_array().at(0).as_object().at("name"), "DS_PROMETHEUS");
  std::set<std::int64_t> ids;
  for (const auto& p : dash.at("panels").as_array()) {
    const auto& o = p.as_object();
    EXPECT_TRUE(ids.insert(o.at("id").as_int64()).second) << "duplicate panel id";
    EXPECT_EQ(o.at("datasource").as_object().at("uid"), "${DS_PROMETHEUS}") << o.at("title");
    EXPECT_FALSE(o.at("targets").as_array().empty()) << o.at("title");
  }
  // What issue 19 asks the dashboard to show.
  std::string all;
  for (const std::string& e : expressions(dash)) all += e + "\n";
  for (const char* needed :
       {"rate(arrload_requests_total", "rate(arrload_request_failures_total",
        "histogram_quantile(0.5, sum by (le, name)", "histogram_quantile(0.95, sum by (le, name)",
        "histogram_quantile(0.99, sum by (le, name)", "arrload_errors_total", "arrload_users",
        "process_cpu_seconds_total", "arrload_target_resident_memory_bytes",
        "arrload_dropped_iterations_total"}) {
    EXPECT_NE(all.find(needed), std::string::npos) << needed;
  }
}

TEST(GrafanaDashboardTest, EveryMetricAndLabelItQueriesIsExported) {
  std::set<std::string> exported;
  std::set<std::string> labels = {"job", "instance"};  // what Prometheus adds to each target
  names_in(full_exposition(), exported, labels);
  ASSERT_TRUE(exported.count("arrload_response_time_seconds_bucket"));
  const std::regex selector(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[\{\[])");
  const std::regex named(R"(\b((arrload|process)_[a-zA-Z0-9_:]*))");
  const std::regex grouping(R"(\b(by|without)\s*\(([^)]*)\))");
  const std::vector<std::string> exprs = expressions(load());
  ASSERT_GE(exprs.size(), 10u);
  int metrics_seen = 0;
  for (const std::string& e : exprs) {
    std::set<std::string> used;
    for (auto it = std::sregex_iterator(e.begin(), e.end(), selector); it != std::sregex_iterator();
         ++it) {
      used.insert((*it)[1]);
    }
    for (auto it = std::sregex_iterator(e.begin(), e.end(), named); it != std::sregex_iterator();
         ++it) {
      used.insert((*it)[1]);
    }
    for (const std::string& name : used) {
      ++metrics_seen;
      EXPECT_TRUE(exported.count(name)) << name << " (in " << e << ") is not exported";
    }
    for (auto it = std::sregex_iterator(e.begin(), e.end(), grouping); it != std::sregex_iterator();
         ++it) {
      std::string list = (*it)[2];
      const std::regex word(R"([a-zA-Z_][a-zA-Z0-9_]*)");
      for (auto w = std::sregex_iterator(list.begin(), list.end(), word);
           w != std::sregex_iterator(); ++w) {
        EXPECT_TRUE(labels.count((*w)[0])) << (*w)[0] << " (in " << e << ") is no label";
      }
    }
  }
  EXPECT_GE(metrics_seen, static_cast<int>(exprs.size()));
}

}  // namespace
}  // namespace arrload::testing::deploy
