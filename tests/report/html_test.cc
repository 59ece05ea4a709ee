// The HTML report: escaping, sections, self-containment, charts and the numbers in its tables.
#include "report/html.h"

#include <limits>
#include <regex>

#include <fmt/format.h>

#include <gtest/gtest.h>

#include "report/csv.h"
#include "report/format.h"
#include "report/history.h"
#include "report/svg_chart.h"
#include "stats/aggregator.h"
#include "stats/corrected.h"
#include "support/snapshots.h"

namespace arrload::report {
namespace {

constexpr const char* kEvilName = "<script>alert(1)</script>";

stats::Snapshot sample_snapshot() {
  stats::Aggregator agg(0, 1'700'000'000.0);
  stats::Shard shard;
  for (int i = 1; i <= 200; ++i)
    shard.record("GET", "/b", static_cast<std::uint64_t>(i) * 1000, 10, false);
  for (int i = 1; i <= 30; ++i)
    shard.record("POST", kEvilName, static_cast<std::uint64_t>(i) * 333, 7, i % 3 == 0,
                 "HTTPError('500 <img src=x onerror=alert(2)> & \"quoted\"')");
  agg.absorb(shard.take());
  agg.tick();
  stats::Snapshot snap = agg.snapshot(20'000'000, 1'700'000'020.0);
  snap.user_count = 5;
  snap.peak_user_count = 7;
  snap.users_per_class = {{"Reader", 5}};
  snap.exceptions = {{"variable 'x' <unset> & gone", 3}};
  return snap;
}

budget::Verdict sample_verdict() {
  budget::Verdict v;
  budget::Check ok;
  ok.subject = "GET /b";
  ok.category = "read";
  ok.threshold = budget::parse_threshold("p95<500ms");
  ok.origin = "budgets.yaml:3";
  ok.actual = 190;
  ok.margin = "-310 ms";
  budget::Check bad;
  bad.subject = std::string("POST ") + kEvilName;
  bad.category = "write";
  bad.threshold = budget::parse_threshold("p99<5ms");
  bad.origin = "--budget";
  bad.actual = 9.9;
  bad.pass = false;
  bad.margin = "+4.9 ms (98% over)";
  v.checks = {ok, bad};
  v.criteria.push_back({"memory", "growing (pid 1): start 10.0 MiB, end 30.0 MiB", false, 5});
  v.notes.push_back("the generator was saturated for 3 s");
  return v;
}

struct Fixture {
  stats::Snapshot snap = sample_snapshot();
  budget::Verdict verdict = sample_verdict();
  History history;
  std::vector<monitor::MemorySample> memory;
  HtmlReport report;

  Fixture() {
    stats::Snapshot point = snap;
    for (int t = 1; t <= 20; ++t) {
      point.elapsed_s = t;
      point.taken_unix = 1'700'000'000.0 + t;
      point.user_count = static_cast<std::uint64_t>(std::min(t, 5));
      history.append(point);
      memory.push_back(
          {static_cast<double>(t), 1024u * 1024u * (10u + t), t != 7, 1'700'000'000.0 + t});
    }
    history.append(snap, /*force=*/true);
    report.snap = &snap;
    report.info.host = "http://127.0.0.1:8088";
    report.info.scenario = "scenarios/<autoarr>";
    report.info.stop_reason = "run_time";
    report.info.verdict = &verdict;
    report.users = "5";
    report.spawn_rate = "2/s";
    report.run_time = "20s";
    report.profile = "baseline";
    report.history = &history;
    report.memory = &memory;
    report.memory_source = "pid 1";
  }
};

// The text of section ID (from its <section> tag to the closing tag).
std::string section(const std::string& html, const std::string& id) {
  auto start = html.find("<section id=\"" + id + "\"");
  if (start == std::string::npos) return {};
  auto end = html.find("</section>", start);
  return html.substr(start, end - start);
}

// The cells (tags stripped, entities kept) of each row of the <table id=ID>'s body.
std::vector<std::vector<std::string>> table_rows(const std::string& html, const std::string& id) {
  std::vector<std::vector<std::string>> rows;
  auto start = html.find("<table id=\"" + id + "\"");
  if (start == std::string::npos) return rows;
  auto body = html.find("<tbody>", start);
  auto end = html.find("</tbody>", body);
  std::string text = html.substr(body, end - body);
  std::size_t pos = 0;
  while ((pos = text.find("<tr", pos)) != std::string::npos) {
    auto row_end = text.find("</tr>", pos);
    std::string row = text.substr(pos, row_end - pos);
    std::vector<std::string> cells;
    std::size_t c = 0;
    while ((c = row.find("<td", c)) != std::string::npos) {
      auto open_end = row.find('>', c);
      auto close = row.find("</td>", open_end);
      cells.push_back(row.substr(open_end + 1, close - open_end - 1));
      c = close;
    }
    rows.push_back(cells);
    pos = row_end;
  }
  return rows;
}

TEST(HtmlReport, EscapesEveryUserString) {
  Fixture f;
  const std::string html = html_report(f.report);
  EXPECT_EQ(html.find("<script"), std::string::npos) << "an endpoint name became markup";
  EXPECT_EQ(html.find("<img"), std::string::npos) << "an error message became markup";
  EXPECT_EQ(html.find("<autoarr>"), std::string::npos);
  EXPECT_EQ(html.find("<unset>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("HTTPError(&#39;500 &lt;img src=x onerror=alert(2)&gt; &amp; "
                      "&quot;quoted&quot;&#39;)"),
            std::string::npos);
  EXPECT_NE(html.find("variable &#39;x&#39; &lt;unset&gt; &amp; gone"), std::string::npos);
  EXPECT_EQ(html_escape("a<b>&\"'\x01z"), "a&lt;b&gt;&amp;&quot;&#39;z");
}

TEST(HtmlReport, HasEverySectionAndTheVerdictInFull) {
  Fixture f;
  const std::string html = html_report(f.report);
  for (const char* id : {"run", "verdict", "stats", "charts", "percentiles", "distribution",
                         "failures", "exceptions"}) {
    EXPECT_FALSE(section(html, id).empty()) << "no section " << id;
  }
  const std::string run = section(html, "run");
  for (const char* text :
       {"http://127.0.0.1:8088", "scenarios/&lt;autoarr&gt;", "baseline", "2/s", "20s",
        "2023-11-14 22:13:20 UTC", "2023-11-14 22:13:40 UTC", "run_time", "Reader: 5", "pid 1"}) {
    EXPECT_NE(run.find(text), std::string::npos) << text;
  }
  const std::string verdict = section(html, "verdict");
  EXPECT_NE(verdict.find("FAIL (2 of 3 checks failed; exit status 3)"), std::string::npos)
      << verdict;
  auto checks = table_rows(html, "verdict-table");
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0][0], "GET /b");
  EXPECT_EQ(checks[0][2], "p95 &lt; 500 ms");
  EXPECT_EQ(checks[0][3], f.verdict.checks[0].describe_actual());
  EXPECT_EQ(checks[0][4], "PASS");
  EXPECT_EQ(checks[0][5], "-310 ms");
  EXPECT_EQ(checks[1][4], "FAIL");
  EXPECT_EQ(checks[1][5], "+4.9 ms (98% over)");
  auto criteria = table_rows(html, "criteria-table");
  ASSERT_EQ(criteria.size(), 1u);
  EXPECT_EQ(criteria[0][0], "memory");
  EXPECT_EQ(criteria[0][1], "FAIL");
  EXPECT_NE(verdict.find("the generator was saturated for 3 s"), std::string::npos);
  EXPECT_NE(html.find("prefers-color-scheme:dark"), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);

  // Without a verdict the section says so instead of showing PASS.
  f.report.info.verdict = nullptr;
  const std::string unjudged = section(html_report(f.report), "verdict");
  EXPECT_NE(unjudged.find("Not judged"), std::string::npos);
  EXPECT_EQ(unjudged.find("PASS"), std::string::npos);
}

TEST(HtmlReport, ReferencesNothingOutsideTheFile) {
  Fixture f;
  const std::string html = html_report(f.report);
  const std::regex external(
      R"re((src|href|action|srcset|poster|data)\s*=\s*["']?\s*(https?:|//|file:))re",
      std::regex::icase);
  EXPECT_FALSE(std::regex_search(html, external));
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  for (const char* tag : {"<script", "<link", "<iframe", "<img", "<object", "<embed", "<image"}) {
    EXPECT_EQ(html.find(tag), std::string::npos) << tag;
  }
  // Every link is to an anchor in the page.
  const std::regex href(R"re(href\s*=\s*"([^"]*)")re");
  int links = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), href); it != std::sregex_iterator();
       ++it, ++links) {
    EXPECT_EQ((*it)[1].str().substr(0, 1), "#") << (*it)[1].str();
  }
  EXPECT_GT(links, 0);
  // And the page forbids loading anything, should a browser meet a reference anyway.
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1))
    ++n;
  return n;
}

TEST(HtmlReport, DrawsEveryChartAsInlineSvg) {
  Fixture f;
  std::string html = html_report(f.report);
  const std::string charts = section(html, "charts");
  // requests/failures, response times, users, target memory: each an <svg> with its lines.
  EXPECT_EQ(count(charts, "<svg"), 4u);
  EXPECT_EQ(count(charts, "</svg>"), 4u);
  for (const char* label : {"requests/s", "failures/s", "p50", "p95", "p99", "users", "RSS"}) {
    EXPECT_NE(charts.find("<title>" + std::string(label) + "</title></path>"), std::string::npos)
        << label;
  }
  // The failed memory reading (t = 7 s) is a gap: the RSS line has two pieces.
  auto rss = charts.find("<title>RSS</title>");
  auto rss_path = charts.rfind("<path class=\"line", rss);
  EXPECT_EQ(count(charts.substr(rss_path, rss - rss_path), "M"), 2u);
  // One distribution per endpoint with requests, plus the Aggregated one.
  const std::string dist = section(html, "distribution");
  EXPECT_EQ(count(dist, "<svg"), f.snap.endpoints.size() + 1);
  EXPECT_NE(dist.find("POST &lt;script&gt;alert(1)&lt;/script&gt; (30 requests)"),
            std::string::npos);

  // Without memory monitoring there is no memory chart; without history the charts say so.
  f.report.memory = nullptr;
  f.report.history = nullptr;
  const std::string bare = section(html_report(f.report), "charts");
  EXPECT_EQ(count(bare, "<svg"), 3u);
  EXPECT_EQ(count(bare, "no data"), 3u);
}

TEST(HtmlReport, StatsAndPercentileTablesHoldTheSnapshotsNumbers) {
  Fixture f;
  const std::string html = html_report(f.report);
  auto rows = table_rows(html, "stats-table");
  ASSERT_EQ(rows.size(), f.snap.endpoints.size() + 1);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const stats::EndpointStats& e =
        i < f.snap.endpoints.size() ? f.snap.endpoints[i] : f.snap.aggregated;
    const stats::Histogram& h = e.total.latency;
    const auto& r = rows[i];
    ASSERT_EQ(r.size(), 13u);
    EXPECT_EQ(r[0], html_escape(e.key.method));
    EXPECT_EQ(r[1], html_escape(e.key.name));
    EXPECT_EQ(r[2], std::to_string(e.total.num_requests));
    EXPECT_EQ(r[3], std::to_string(e.total.num_failures));
    EXPECT_EQ(r[4], ms_cell(static_cast<double>(h.percentile(0.5))));
    EXPECT_EQ(r[5], ms_cell(static_cast<double>(h.percentile(0.95))));
    EXPECT_EQ(r[6], ms_cell(static_cast<double>(h.percentile(0.99))));
    EXPECT_EQ(r[7], ms_cell(h.mean()));
    EXPECT_EQ(r[8], ms_cell(static_cast<double>(h.min())));
    EXPECT_EQ(r[9], ms_cell(static_cast<double>(h.max())));
    EXPECT_EQ(r[11], fmt::format("{:.2f}", f.snap.total_rps(e)));
    EXPECT_EQ(r[12], fmt::format("{:.2f}", f.snap.total_fail_per_sec(e)));
  }
  EXPECT_EQ(rows.back()[1], "Aggregated");
  EXPECT_EQ(rows.back()[2], "230");
  EXPECT_EQ(rows.back()[3], "10");
  EXPECT_EQ(rows[0][1], "/b");  // Locust's order: by name ('/' sorts before '<')
  EXPECT_EQ(rows[1][1], "&lt;script&gt;alert(1)&lt;/script&gt;");

  // The percentile table equals the stats CSV's percentile columns, row for row.
  auto pct = table_rows(html, "percentile-table");
  const std::string csv = stats_csv(f.snap);
  std::vector<std::string> csv_rows;
  for (std::size_t pos = 0, nl; (nl = csv.find('\n', pos)) != std::string::npos; pos = nl + 1)
    csv_rows.push_back(csv.substr(pos, nl - pos));
  ASSERT_EQ(pct.size() + 1, csv_rows.size());
  for (std::size_t i = 0; i < pct.size(); ++i) {
    std::string cells;
    for (std::size_t k = 2; k < 2 + std::size(kPercentiles); ++k) cells += "," + pct[i][k];
    EXPECT_NE(csv_rows[i + 1].find(cells), std::string::npos) << csv_rows[i + 1] << " vs " << cells;
  }

  auto failures = table_rows(html, "failures-table");
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0][0], "10");
  EXPECT_EQ(failures[0][1], "POST");
  auto exceptions = table_rows(html, "exceptions-table");
  ASSERT_EQ(exceptions.size(), 1u);
  EXPECT_EQ(exceptions[0][0], "3");
}

TEST(HtmlReport, ShowsCorrectedTimesBesideServiceTimesAndTheDroppedIterations) {
  const stats::Snapshot snap = test_support::scheduled_snapshot();
  HtmlReport report;
  report.snap = &snap;
  const std::string html = html_report(report);
  EXPECT_NE(html.find("<a href=\"#corrected\">"), std::string::npos);
  const auto rows = table_rows(html, "corrected-table");
  ASSERT_EQ(rows.size(), 2u);  // /open, then Aggregated; /closed had nothing scheduled
  // Type, Name, # Samples, Late starts, then Median, 95%ile, 99%ile and Max: service, corrected.
  EXPECT_EQ(rows[0], (std::vector<std::string>{"GET", "/open", "6", "3 (50.00%)", "2", "2", "2",
                                               "150", "2", "150", "2", "150"}));
  const stats::Histogram all = stats::aggregated_corrected_latency(snap);
  EXPECT_EQ(rows[1][1], "Aggregated");
  EXPECT_EQ(rows[1][2], "8");
  EXPECT_EQ(rows[1][5], ms_cell(static_cast<double>(all.percentile(0.5))));
  EXPECT_EQ(rows[1][11], "150");
  EXPECT_NE(section(html, "corrected").find("Dropped iterations: 2 of 10 due (20.00%)"),
            std::string::npos);
  // The distribution of a scheduled endpoint draws both.
  const std::string dist = section(html, "distribution");
  EXPECT_NE(dist.find("service time"), std::string::npos);
  EXPECT_NE(dist.find("corrected"), std::string::npos);
  // Locust's table keeps the service times.
  EXPECT_EQ(table_rows(html, "stats-table")[1][5], "2");
}

TEST(HtmlReport, NoCorrectedSectionWithoutASchedule) {
  Fixture f;
  const std::string html = html_report(f.report);
  EXPECT_EQ(html.find("corrected"), std::string::npos);
  EXPECT_EQ(html.find("Coordinated omission"), std::string::npos);
  EXPECT_EQ(html.find("service time"), std::string::npos);
}

TEST(HtmlReport, VerdictSaysWhichChecksWereCorrected) {
  Fixture f;
  f.verdict.checks[0].corrected = true;
  const std::string html = html_report(f.report);
  EXPECT_NE(section(html, "verdict").find("190 ms (corrected)"), std::string::npos);
  EXPECT_NE(section(html, "verdict").find("corrected for coordinated omission"), std::string::npos);
}

TEST(HtmlHistory, StaysBoundedAndEndsWithTheFinalSnapshot) {
  stats::Snapshot snap = sample_snapshot();
  History h(10);
  for (int t = 1; t <= 1000; ++t) {
    snap.elapsed_s = t;
    snap.taken_unix = 1'700'000'000.0 + t;
    h.append(snap);
    ASSERT_LE(h.points().size(), 10u);
  }
  EXPECT_GE(h.points().size(), 5u);
  EXPECT_GT(h.stride(), 1u);
  EXPECT_NEAR(h.points().front().t_s, 1, 1e-6);
  snap.elapsed_s = 1000.4;
  snap.taken_unix = 1'700'000'000.0 + 1000.4;
  h.append(snap, /*force=*/true);
  EXPECT_LE(h.points().size(), 10u);
  EXPECT_NEAR(h.points().back().t_s, 1000.4, 1e-6);
  for (std::size_t i = 1; i < h.points().size(); ++i) {
    EXPECT_LT(h.points()[i - 1].t_s, h.points()[i].t_s);
  }
  // The point holds the recent window's numbers.
  const HistoryPoint& p = h.points().back();
  EXPECT_TRUE(p.has_latency);
  EXPECT_DOUBLE_EQ(p.p95_ms,
                   static_cast<double>(snap.aggregated.recent.latency.percentile(0.95)) / 1000);
  EXPECT_DOUBLE_EQ(p.rps, snap.aggregated.current_rps);
}

TEST(HtmlHistory, ResetStatsDoesNotRestartTheTimeAxis) {
  stats::Snapshot snap = sample_snapshot();
  History h;
  snap.elapsed_s = 5;
  snap.taken_unix = 1'700'000'005.0;
  h.append(snap);
  snap.elapsed_s = 1;  // the stats were reset 1 s ago
  snap.taken_unix = 1'700'000'006.0;
  h.append(snap);
  ASSERT_EQ(h.points().size(), 2u);
  EXPECT_NEAR(h.points()[1].t_s, 6, 1e-6);
}

TEST(HtmlHistory, KeepsTheGeneratorCpuAndChartsItWhenMeasured) {
  stats::Snapshot snap = sample_snapshot();
  History h;
  snap.elapsed_s = 1;
  snap.taken_unix = 1'700'000'001.0;
  h.append(snap, /*force=*/false, 42.5);
  snap.elapsed_s = 2;
  snap.taken_unix = 1'700'000'002.0;
  h.append(snap, /*force=*/false, 61);
  // The final snapshot at the same second replaces the point but keeps its CPU reading.
  h.append(snap, /*force=*/true);
  ASSERT_EQ(h.points().size(), 2u);
  EXPECT_DOUBLE_EQ(h.points()[0].generator_cpu, 42.5);
  EXPECT_DOUBLE_EQ(h.points()[1].generator_cpu, 61);

  HtmlReport r;
  r.snap = &snap;
  r.history = &h;
  const std::string charts = section(html_report(r), "charts");
  EXPECT_NE(charts.find("Generator CPU (% of one core)"), std::string::npos);
  EXPECT_NE(charts.find("<title>CPU</title></path>"), std::string::npos);
  EXPECT_EQ(count(charts, "<svg"), 4u);  // rates, times, users, CPU (no memory)

  // A history without CPU readings (older callers) has no CPU chart.
  History without;
  without.append(snap);
  r.history = &without;
  EXPECT_EQ(section(html_report(r), "charts").find("Generator CPU"), std::string::npos);
}

TEST(HtmlSvg, AxesAndGaps) {
  EXPECT_DOUBLE_EQ(nice_step(100, 4), 50);
  EXPECT_DOUBLE_EQ(nice_step(7, 4), 2);
  EXPECT_NEAR(nice_step(0.3, 4), 0.1, 1e-12);
  EXPECT_DOUBLE_EQ(nice_time_step(60, 6), 10);
  EXPECT_DOUBLE_EQ(nice_time_step(3600, 6), 600);
  EXPECT_EQ(clock_label(75), "1:15");
  EXPECT_EQ(clock_label(3725), "1:02:05");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::string svg =
      svg_line_chart({{"a<b", {{0, 1}, {1, 2}, {2, nan}, {3, 4}, {4, 5}}}}, {"title & more", "ms"});
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("aria-label=\"title &amp; more\""), std::string::npos);
  EXPECT_NE(svg.find("<title>a&lt;b</title>"), std::string::npos);
  auto d = svg.find("class=\"line s0\" d=\"");
  ASSERT_NE(d, std::string::npos);
  std::string path = svg.substr(d, svg.find('"', d + 19) - d);
  EXPECT_EQ(count(path, "M"), 2u) << path;
  EXPECT_EQ(count(path, "L"), 2u) << path;
  EXPECT_EQ(svg.find("no data"), std::string::npos);
  EXPECT_NE(svg_line_chart({}, {"empty", "ms"}).find("no data"), std::string::npos);

  // A log axis has a line per power of ten from below the smallest value to above the largest.
  ChartOptions log{"log", "ms", XAxis::kPercentile, 360, 170, /*log_y=*/true};
  std::string log_svg = svg_line_chart({{"t", {{0, 0.5}, {2, 30}, {4.5, 2500}}}}, log);
  for (const char* tick :
       {">0.1</text>", ">1</text>", ">10</text>", ">100</text>", ">1000</text>", ">10k</text>"}) {
    EXPECT_NE(log_svg.find(tick), std::string::npos) << tick;
  }
  EXPECT_EQ(log_svg.find(">0.01</text>"), std::string::npos);
  EXPECT_EQ(log_svg.find(">100k</text>"), std::string::npos);
}

}  // namespace
}  // namespace arrload::report
