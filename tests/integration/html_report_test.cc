// End to end: `arrload run --html` against the embedded target writes one self-contained page
// whose numbers are the CSV's.
#include <regex>

#include <gtest/gtest.h>

#include "integration/harness.h"

namespace arrload::testing {
namespace {

using HtmlReportRun = TargetTest;

// Two endpoints, one failing every time, one with a name that must be escaped.
const char* kScenario = R"(
users:
  - name: Pinger
    weight: 3
    wait: constant(0.01)
    tasks:
      - name: ping
        requests:
          - {path: /ping, name: "/ping <b>&</b>"}
  - name: Breaker
    weight: 1
    wait: constant(0.05)
    tasks:
      - {name: broken, request: GET /__target/status/500}
)";

// The cells (tags stripped) of the row of <table id=TABLE> whose second cell is NAME.
std::vector<std::string> html_row(const std::string& html, const std::string& table,
                                  const std::string& name) {
  auto start = html.find("<table id=\"" + table + "\"");
  if (start == std::string::npos) return {};
  auto end = html.find("</table>", start);
  const std::string text = html.substr(start, end - start);
  const std::regex row_re("<tr[^>]*>(.*?)</tr>");
  const std::regex cell_re("<td[^>]*>(.*?)</td>");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), row_re);
       it != std::sregex_iterator(); ++it) {
    const std::string row = (*it)[1];
    std::vector<std::string> cells;
    for (auto c = std::sregex_iterator(row.begin(), row.end(), cell_re);
         c != std::sregex_iterator(); ++c) {
      cells.push_back((*c)[1]);
    }
    if (cells.size() > 2 && cells[1] == name) return cells;
  }
  return {};
}

TEST_F(HtmlReportRun, PageHoldsTheCsvNumbersAndNothingExternal) {
  std::string scenario = dir_.write("mixed.yaml", kScenario);
  const std::string html_path = dir_.file("reports/run.html");  // the directory is created
  auto r = run_arrload({"run", "-f", scenario, "--host", host_, "-u", "4", "-r", "4", "-t", "3s",
                        "--headless", "--only-summary", "--csv", dir_.file("out"), "--html",
                        html_path, "--budget", "error_rate<1%"});
  EXPECT_EQ(r.exit_code, 4) << r.err;  // the error-rate budget failed (every 500 is a failure)
  const std::string html = read_file(html_path);
  ASSERT_FALSE(html.empty()) << r.err;
  const std::string csv = read_file(dir_.file("out_stats.csv"));

  auto total_csv = stats_row(csv, "Aggregated");
  ASSERT_FALSE(total_csv.empty()) << csv;
  auto total_html = html_row(html, "stats-table", "Aggregated");
  ASSERT_EQ(total_html.size(), 13u) << html;
  EXPECT_EQ(total_html[2], total_csv[2]);  // request count
  EXPECT_EQ(total_html[3], total_csv[3]);  // failure count
  EXPECT_GT(std::stol(total_csv[3]), 0);

  int endpoints = 0;
  for (const auto& line : split_lines(csv)) {
    auto cells = split_cells(line);
    if (cells.size() < 22 || cells[0] == "Type" || cells[1] == "Aggregated") continue;
    ++endpoints;
    // The page shows the name escaped: & < > as entities.
    std::string escaped = std::regex_replace(cells[1], std::regex("&"), "&amp;");
    escaped = std::regex_replace(escaped, std::regex("<"), "&lt;");
    escaped = std::regex_replace(escaped, std::regex(">"), "&gt;");
    auto row = html_row(html, "stats-table", escaped);
    ASSERT_EQ(row.size(), 13u) << "no stats row for " << cells[1];
    EXPECT_EQ(row[0], cells[0]);
    EXPECT_EQ(row[2], cells[2]) << cells[1];
    EXPECT_EQ(row[3], cells[3]) << cells[1];
    EXPECT_EQ(row[4], cells[4]) << cells[1];  // median, formatted as in the CSV
    auto pct = html_row(html, "percentile-table", escaped);
    ASSERT_EQ(pct.size(), 14u) << cells[1];
    for (int k = 0; k < 11; ++k) EXPECT_EQ(pct[2 + k], cells[11 + k]) << cells[1] << " " << k;
  }
  EXPECT_EQ(endpoints, 2);
  EXPECT_EQ(html.find("<b>&</b>"), std::string::npos);

  // The verdict with its failed check, the failures, and the charts drawn from the run.
  EXPECT_NE(html.find("error_rate &lt; 1%"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"fail\">FAIL</td>"), std::string::npos);
  EXPECT_NE(html.find("HTTPError(&#39;500 Server Error"), std::string::npos);
  auto charts = html.substr(html.find("<section id=\"charts\""));
  charts = charts.substr(0, charts.find("</section>"));
  EXPECT_NE(charts.find("<title>requests/s</title></path>"), std::string::npos) << charts;
  EXPECT_NE(charts.find("<title>users</title></path>"), std::string::npos);

  // Self-contained: no reference that a browser would fetch.
  EXPECT_FALSE(std::regex_search(
      html, std::regex(R"re((src|href)\s*=\s*["']?\s*(https?:|//))re", std::regex::icase)));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
}

TEST_F(HtmlReportRun, MonitoredMemoryGetsItsChartAndCriterion) {
  // The embedded target runs inside this test process: its memory is this process's.
  std::string scenario = dir_.write("mixed.yaml", kScenario);
  auto r = run_arrload({"run",
                        "--headless",
                        "-f",
                        scenario,
                        "--host",
                        host_,
                        "-u",
                        "2",
                        "-r",
                        "10",
                        "-t",
                        "3s",
                        "--only-summary",
                        "--no-budgets",
                        "--recovery-wait",
                        "0",
                        "--target-pid",
                        std::to_string(::getpid()),
                        "--html",
                        dir_.file("m.html")});
  const std::string html = read_file(dir_.file("m.html"));
  ASSERT_FALSE(html.empty()) << r.err;
  auto charts = html.substr(html.find("<section id=\"charts\""));
  charts = charts.substr(0, charts.find("</section>"));
  EXPECT_NE(charts.find("Target memory (MiB), pid "), std::string::npos) << charts;
  EXPECT_NE(charts.find("<title>RSS</title></path>"), std::string::npos) << charts;
  EXPECT_NE(html.find("<table id=\"criteria-table\">"), std::string::npos);
  EXPECT_NE(html.find("<tr><td>memory</td>"), std::string::npos);
}

TEST_F(HtmlReportRun, ProfilesInSequenceGetOnePagePerProfile) {
  auto suite_dir = dir_.file("suite");
  std::filesystem::create_directories(suite_dir);
  std::ofstream(suite_dir + "/s.yaml") << R"(
users:
  - name: Pinger
    wait: constant(0.02)
    tasks:
      - {name: ping, request: GET /ping}
profiles:
  first: {users: 1, spawn_rate: 10, run_time: 1s}
  second: {users: 2, spawn_rate: 10, run_time: 1s}
)";
  auto r = run_arrload({"run", "--headless", "-f", suite_dir, "--host", host_, "--profile",
                        "first,second", "--only-summary", "--html", dir_.file("r.html")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* name : {"first", "second"}) {
    std::string html = read_file(dir_.file(std::string("r_") + name + ".html"));
    ASSERT_FALSE(html.empty()) << name << r.err;
    EXPECT_NE(html.find(std::string("<th scope=\"row\">Profile</th><td>") + name + "</td>"),
              std::string::npos)
        << name;
  }
}

}  // namespace
}  // namespace arrload::testing
