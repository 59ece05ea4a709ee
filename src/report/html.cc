#include "report/html.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <limits>

#include <fmt/format.h>

#include "report/format.h"
#include "report/svg_chart.h"
#include "report/verdict.h"
#include "stats/corrected.h"

namespace arrload::report {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Colours are CSS variables: light by default, dark under prefers-color-scheme, and light again
// on paper. Series differ by dash pattern too, so they stay apart in grey print.
constexpr const char* kStyle = R"css(
:root{color-scheme:light dark;--bg:#fff;--fg:#1d2129;--muted:#5a616d;--border:#d5d9e0;
--stripe:#f5f7fa;--grid:#e6e9ee;--axis:#858c97;--pass:#1a7f37;--fail:#c62828;--c0:#1f6feb;
--c1:#d1242f;--c2:#8250df;--c3:#9a6700;--c4:#1a7f37;--c5:#57606a}
@media (prefers-color-scheme:dark){:root{--bg:#0f1115;--fg:#e6e8eb;--muted:#a0a8b3;
--border:#333a44;--stripe:#161b22;--grid:#252b33;--axis:#6e7681;--pass:#3fb950;--fail:#ff7b72;
--c0:#58a6ff;--c1:#ff7b72;--c2:#d2a8ff;--c3:#e3b341;--c4:#56d364;--c5:#b1bac4}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1240px;padding:16px 20px 40px;background:var(--bg);color:var(--fg);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
h1{font-size:1.55em;margin:.2em 0 .1em}
h2{font-size:1.2em;margin:1.6em 0 .5em;padding-bottom:.2em;border-bottom:1px solid var(--border)}
h3{font-size:1em;margin:1.1em 0 .4em}
p.sub{margin:0;color:var(--muted)}
nav{margin:.8em 0}nav a{color:var(--c0);margin-right:1.1em;text-decoration:none}
nav a:hover{text-decoration:underline}
.wide{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px;font-variant-numeric:tabular-nums}
th,td{padding:4px 8px;border-bottom:1px solid var(--border);text-align:left;vertical-align:top}
th{font-weight:600;white-space:nowrap}
.n{text-align:right;white-space:nowrap}
tbody tr:nth-child(even){background:var(--stripe)}
tr.total td{font-weight:600;border-top:2px solid var(--fg)}
td.name{word-break:break-all;min-width:12em}
td.msg{word-break:break-word}
.pass{color:var(--pass);font-weight:700}.fail{color:var(--fail);font-weight:700}
.badge{display:inline-block;padding:1px 10px;border:2px solid currentColor;border-radius:4px}
.muted{color:var(--muted)}
table.params{width:auto}table.params th{color:var(--muted);font-weight:500}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:14px}
.dist{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:12px}
figure{margin:0;padding:8px 10px;border:1px solid var(--border);border-radius:6px;
break-inside:avoid;page-break-inside:avoid}
figcaption{font-weight:600;margin-bottom:4px;word-break:break-all}
svg.chart{display:block;width:100%;height:auto}
svg .grid{stroke:var(--grid);stroke-width:1}
svg .axis{fill:none;stroke:var(--axis);stroke-width:1}
svg text{fill:var(--muted);font-size:11px;font-family:inherit}
svg text.nodata{font-size:14px}
svg .line{fill:none;stroke-width:1.8;stroke-linejoin:round;stroke-linecap:round}
.s0{stroke:var(--c0)}.s1{stroke:var(--c1);stroke-dasharray:7 3}
.s2{stroke:var(--c2);stroke-dasharray:2 3}.s3{stroke:var(--c3);stroke-dasharray:9 3 2 3}
.s4{stroke:var(--c4);stroke-dasharray:4 4}.s5{stroke:var(--c5);stroke-dasharray:1 5}
footer{margin-top:2.5em;color:var(--muted);font-size:12px}
@page{margin:12mm}
@media print{:root{--bg:#fff;--fg:#000;--muted:#333;--border:#aaa;--stripe:#fff;--grid:#ddd;
--axis:#444;--pass:#0b5d24;--fail:#a40e26;--c0:#0a4fbf;--c1:#b3121e;--c2:#5b2ba8;--c3:#7a5200;
--c4:#0b5d24;--c5:#333}
body{max-width:none;padding:0;font-size:10pt}nav{display:none}
table{font-size:8pt}th,td{padding:2px 4px}.wide{overflow:visible}
h2{break-after:avoid;page-break-after:avoid}tr{break-inside:avoid;page-break-inside:avoid}
.charts{grid-template-columns:1fr 1fr}.dist{grid-template-columns:repeat(3,1fr)}
svg .line{stroke-width:1.4}}
)css";

std::string esc(std::string_view s) { return html_escape(s); }

std::string utc_time(double unix_s) {
  if (unix_s <= 0) return "-";
  std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string fixed(double v, int decimals) { return fmt::format("{:.{}f}", v, decimals); }

std::string ms(double micros) { return ms_cell(micros); }

const char* stop_reason_text(const std::string& reason) {
  if (reason == "run_time") return "the run time (or the load shape) ended";
  if (reason == "signal") return "interrupted by a signal (Ctrl-C)";
  if (reason == "requested") return "stopped on request";
  if (reason == "abort_on_fail") return "a budget was breached (--abort-on-fail)";
  return "";
}

void param_row(std::string& out, std::string_view label, const std::string& value) {
  if (value.empty()) return;
  out += fmt::format("<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n", esc(label), esc(value));
}

std::string run_section(const HtmlReport& r) {
  const stats::Snapshot& s = *r.snap;
  std::string out = "<section id=\"run\"><h2>Run</h2>\n<table class=\"params\"><tbody>\n";
  param_row(out, "Host", r.info.host);
  param_row(out, "Scenario", r.info.scenario);
  param_row(out, "Profile", r.profile);
  param_row(out, "Load shape", r.shape);
  param_row(out, "Users", r.users);
  param_row(out, "Spawn rate", r.spawn_rate);
  param_row(out, "Run time", r.run_time.empty() ? "until stopped" : r.run_time);
  param_row(out, "Start", utc_time(s.start_unix));
  param_row(out, "End", utc_time(s.taken_unix));
  param_row(out, "Duration", fmt::format("{:.1f} s ({})", s.elapsed_s, clock_label(s.elapsed_s)));
  if (!r.info.stop_reason.empty()) {
    std::string text = stop_reason_text(r.info.stop_reason);
    param_row(out, "Stop reason",
              text.empty() ? r.info.stop_reason : r.info.stop_reason + ": " + text);
  }
  param_row(out, "Peak users", std::to_string(s.peak_user_count));
  std::string classes;
  for (const auto& [name, n] : s.users_per_class) {
    classes += fmt::format("{}{}: {}", classes.empty() ? "" : ", ", name, n);
  }
  param_row(out, "Users per class (at the stop)", classes);
  param_row(out, "Target memory", r.memory_source);
  param_row(out, "Generator", r.info.generator);
  out += "</tbody></table>\n</section>\n";
  return out;
}

std::string result_cell(bool pass) {
  return pass ? "<td class=\"pass\">PASS</td>" : "<td class=\"fail\">FAIL</td>";
}

std::string verdict_section(const HtmlReport& r) {
  std::string out = "<section id=\"verdict\"><h2>Verdict</h2>\n";
  const budget::Verdict* v = r.info.verdict;
  if (v == nullptr) {
    out +=
        "<p class=\"muted\">Not judged: no budgets were given and no target memory was "
        "monitored (docs/budgets.md).</p>\n</section>\n";
    return out;
  }
  out += fmt::format("<p><span class=\"badge {}\">{}</span></p>\n", v->pass() ? "pass" : "fail",
                     esc(v->summary()));
  if (!v->checks.empty()) {
    out +=
        "<div class=\"wide\"><table id=\"verdict-table\"><thead><tr><th>Subject</th>"
        "<th>Category</th><th>Budget</th><th class=\"n\">Actual</th><th>Result</th>"
        "<th>Margin</th><th>Rule from</th></tr></thead><tbody>\n";
    for (const budget::Check& c : v->checks) {
      out += fmt::format(
          "<tr><td class=\"name\">{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td>{}"
          "<td>{}</td><td class=\"muted\">{}</td></tr>\n",
          esc(c.subject), c.subject == "run" ? "(run)" : esc(c.category),
          esc(c.threshold.describe()), esc(c.describe_actual()), result_cell(c.pass), esc(c.margin),
          esc(c.origin));
    }
    out += "</tbody></table></div>\n";
    if (any_corrected(*v)) out += fmt::format("<p class=\"muted\">{}</p>\n", esc(kCorrectedNote));
  }
  if (!v->criteria.empty()) {
    out +=
        "<h3>Other criteria</h3><div class=\"wide\"><table id=\"criteria-table\"><thead><tr>"
        "<th>Criterion</th><th>Result</th><th>Detail</th></tr></thead><tbody>\n";
    for (const budget::Criterion& c : v->criteria) {
      out += fmt::format("<tr><td>{}</td>{}<td class=\"msg\">{}</td></tr>\n", esc(c.name),
                         result_cell(c.pass), esc(c.detail));
    }
    out += "</tbody></table></div>\n";
  }
  for (const std::string& n : v->notes) out += fmt::format("<p>Note: {}</p>\n", esc(n));
  out += "</section>\n";
  return out;
}

std::string stats_row(const stats::Snapshot& s, const stats::EndpointStats& e, bool total) {
  const stats::Entry& t = e.total;
  const stats::Histogram& h = t.latency;
  const bool any = t.num_requests > 0;
  auto pct = [&](double q) { return any ? ms(static_cast<double>(h.percentile(q))) : "-"; };
  return fmt::format(
      "<tr{}><td>{}</td><td class=\"name\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
      "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
      "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
      "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
      total ? " class=\"total\"" : "", esc(e.key.method), esc(e.key.name), t.num_requests,
      t.num_failures, pct(0.5), pct(0.95), pct(0.99), any ? ms(h.mean()) : "-",
      any ? ms(static_cast<double>(h.min())) : "-", any ? ms(static_cast<double>(h.max())) : "-",
      any ? fixed(static_cast<double>(t.content_bytes) / static_cast<double>(t.num_requests), 0)
          : "-",
      fixed(s.total_rps(e), 2), fixed(s.total_fail_per_sec(e), 2));
}

std::string stats_section(const stats::Snapshot& s) {
  std::string out =
      "<section id=\"stats\"><h2>Request statistics</h2>\n<div class=\"wide\"><table "
      "id=\"stats-table\"><thead><tr><th>Type</th><th>Name</th><th class=\"n\"># Requests</th>"
      "<th class=\"n\"># Fails</th><th class=\"n\">Median (ms)</th><th class=\"n\">95%ile "
      "(ms)</th><th class=\"n\">99%ile (ms)</th><th class=\"n\">Average (ms)</th>"
      "<th class=\"n\">Min (ms)</th><th class=\"n\">Max (ms)</th><th class=\"n\">Average size "
      "(bytes)</th><th class=\"n\">RPS</th><th class=\"n\">Failures/s</th></tr></thead><tbody>\n";
  for (const auto& e : s.endpoints) out += stats_row(s, e, false);
  out += stats_row(s, s.aggregated, true);
  out += fmt::format(
      "</tbody></table></div>\n<p class=\"muted\">RPS and Failures/s are averages over the "
      "whole run ({:.1f} s); {:.2f}% of the requests failed.</p>\n</section>\n",
      s.elapsed_s, s.fail_ratio() * 100);
  return out;
}

std::string corrected_row(const stats::EndpointStats& e, const stats::Histogram& corrected,
                          bool total) {
  const stats::Entry& t = e.total;
  std::string out = fmt::format(
      "<tr{}><td>{}</td><td class=\"name\">{}</td><td class=\"n\">{}</td>"
      "<td class=\"n\">{} ({:.2f}%)</td>",
      total ? " class=\"total\"" : "", esc(e.key.method), esc(e.key.name), corrected.count(),
      t.late_starts, 100 * stats::late_start_share(t));
  for (double q : {0.5, 0.95, 0.99, 1.0}) {
    out += fmt::format("<td class=\"n\">{}</td><td class=\"n\">{}</td>",
                       ms(static_cast<double>(t.latency.percentile(q))),
                       ms(static_cast<double>(corrected.percentile(q))));
  }
  return out + "</tr>\n";
}

// Corrected next to service times (stats/corrected.h); empty for a run without a schedule.
std::string corrected_section(const stats::Snapshot& s) {
  if (!stats::has_schedule(s)) return {};
  std::string out =
      "<section id=\"corrected\"><h2>Coordinated omission</h2>\n<p class=\"muted\">Response "
      "times of scheduled requests (arrival rates, constant pacing) measured from their "
      "intended start, so a request that started late counts its wait (corrected), beside the "
      "service time from the moment it was sent. Samples include the starts a busy user "
      "missed; a start more than 1 ms late is a late start.</p>\n";
  if (stats::is_scheduled(s.aggregated.total)) {
    out +=
        "<div class=\"wide\"><table id=\"corrected-table\"><thead><tr><th>Type</th>"
        "<th>Name</th><th class=\"n\"># Samples</th><th class=\"n\">Late starts</th>";
    for (const char* label : {"Median", "95%ile", "99%ile", "Max"}) {
      out += fmt::format("<th class=\"n\">{} (ms)</th><th class=\"n\">{} corrected (ms)</th>",
                         label, label);
    }
    out += "</tr></thead><tbody>\n";
    for (const auto& e : s.endpoints) {
      if (stats::is_scheduled(e.total))
        out += corrected_row(e, stats::corrected_latency(e.total), false);
    }
    out += corrected_row(s.aggregated, stats::aggregated_corrected_latency(s), true);
    out += "</tbody></table></div>\n";
  }
  const std::uint64_t due = s.dropped_iterations + s.scheduled_iterations;
  if (due > 0) {
    out += fmt::format(
        "<p id=\"dropped\">Dropped iterations: {} of {} due ({:.2f}%): an arrival-rate schedule "
        "had no free user to start them.</p>\n",
        s.dropped_iterations, due,
        100 * stats::dropped_share(s.dropped_iterations, s.scheduled_iterations).value_or(0));
  }
  return out + "</section>\n";
}

std::string percentile_row(const stats::EndpointStats& e, bool total) {
  std::string out =
      fmt::format("<tr{}><td>{}</td><td class=\"name\">{}</td>", total ? " class=\"total\"" : "",
                  esc(e.key.method), esc(e.key.name));
  for (double q : kPercentiles) {
    out += fmt::format(
        "<td class=\"n\">{}</td>",
        e.total.num_requests ? ms(static_cast<double>(e.total.latency.percentile(q))) : "N/A");
  }
  out += fmt::format("<td class=\"n\">{}</td></tr>\n", e.total.num_requests);
  return out;
}

std::string percentiles_section(const stats::Snapshot& s) {
  std::string out =
      "<section id=\"percentiles\"><h2>Response time percentiles (ms)</h2>\n<div "
      "class=\"wide\"><table id=\"percentile-table\"><thead><tr><th>Type</th><th>Name</th>";
  for (const char* label : kPercentileLabels) out += fmt::format("<th class=\"n\">{}</th>", label);
  out += "<th class=\"n\"># Requests</th></tr></thead><tbody>\n";
  for (const auto& e : s.endpoints) out += percentile_row(e, false);
  out += percentile_row(s.aggregated, true);
  out += "</tbody></table></div>\n</section>\n";
  return out;
}

std::string figure(const std::string& caption, const std::string& svg) {
  return fmt::format("<figure><figcaption>{}</figcaption>\n{}</figure>\n", esc(caption), svg);
}

std::string charts_section(const HtmlReport& r) {
  std::vector<HistoryPoint> pts;
  if (r.history != nullptr) pts = r.history->points();
  ChartSeries rps{"requests/s", {}}, fails{"failures/s", {}};
  ChartSeries p50{"p50", {}}, p95{"p95", {}}, p99{"p99", {}};
  ChartSeries users{"users", {}};
  ChartSeries cpu{"CPU", {}};
  bool has_cpu = false;
  if (!pts.empty() && pts.front().t_s > 0) {
    // The run starts with no user and no request: the lines start there, not at the first tick.
    rps.points.emplace_back(0, 0);
    fails.points.emplace_back(0, 0);
    users.points.emplace_back(0, 0);
  }
  for (const HistoryPoint& p : pts) {
    rps.points.emplace_back(p.t_s, p.rps);
    fails.points.emplace_back(p.t_s, p.fail_per_s);
    p50.points.emplace_back(p.t_s, p.has_latency ? p.p50_ms : kNaN);
    p95.points.emplace_back(p.t_s, p.has_latency ? p.p95_ms : kNaN);
    p99.points.emplace_back(p.t_s, p.has_latency ? p.p99_ms : kNaN);
    users.points.emplace_back(p.t_s, p.users);
    cpu.points.emplace_back(p.t_s, p.generator_cpu >= 0 ? p.generator_cpu : kNaN);
    has_cpu = has_cpu || p.generator_cpu >= 0;
  }
  std::string out =
      "<section id=\"charts\"><h2>Charts over time</h2>\n<p class=\"muted\">Rates and "
      "percentiles are over the last 10 s at each point (all endpoints together); time is "
      "minutes:seconds since the start.</p>\n<div class=\"charts\">\n";
  out += figure("Requests/s and failures/s",
                svg_line_chart({rps, fails}, {"Requests and failures per second", "per s"}));
  out += figure("Response times (ms)",
                svg_line_chart({p50, p95, p99}, {"Response time percentiles", "ms"}));
  out += figure("Users", svg_line_chart({users}, {"Users running", "users"}));
  if (r.memory != nullptr) {
    ChartSeries rss{"RSS", {}};
    const double origin = r.history != nullptr ? r.history->origin_unix() : 0;
    for (const monitor::MemorySample& m : *r.memory) {
      const double t = origin > 0 && m.unix_seconds > 0 ? m.unix_seconds - origin : m.t_seconds;
      rss.points.emplace_back(t,
                              m.ok ? static_cast<double>(m.rss_bytes) / (1024.0 * 1024.0) : kNaN);
    }
    out += figure(
        "Target memory (MiB)" + (r.memory_source.empty() ? std::string() : ", " + r.memory_source),
        svg_line_chart({rss}, {"Target resident memory", "MiB"}));
  }
  if (has_cpu) {
    out += figure("Generator CPU (% of one core)",
                  svg_line_chart({cpu}, {"arrload's own CPU use", "%"}));
  }
  out += "</div>\n</section>\n";
  return out;
}

ChartSeries distribution(const stats::Histogram& h, std::string label) {
  ChartSeries s{std::move(label), {}};
  for (int i = 0; i <= 40; ++i) {
    const double x = i / 10.0;
    const double q = i == 0 ? 0.0 : 1.0 - std::pow(10.0, -x);
    s.points.emplace_back(x, static_cast<double>(h.percentile(q)) / 1000.0);
  }
  s.points.emplace_back(4.5, static_cast<double>(h.max()) / 1000.0);
  return s;
}

std::string distribution_section(const stats::Snapshot& s) {
  std::string out =
      "<section id=\"distribution\"><h2>Response time distribution per endpoint</h2>\n<p "
      "class=\"muted\">The response time (ms) under which a share of the requests completed, "
      "from the fastest (0%) to the slowest (100%). Both axes are logarithmic: the percentile "
      "axis towards the tail, the time axis a line per power of ten.</p>\n<div class=\"dist\">\n";
  auto one = [&](const stats::EndpointStats& e, const stats::Histogram& corrected) {
    if (e.total.num_requests == 0) return;
    const std::string name = (e.key.method.empty() ? "" : e.key.method + " ") + e.key.name;
    ChartOptions o{"Response time distribution of " + name,
                   "ms",
                   XAxis::kPercentile,
                   360,
                   170,
                   /*log_y=*/true};
    // A scheduled one shows its corrected times too (a legend then tells them apart).
    std::vector<ChartSeries> series{distribution(e.total.latency, "response time")};
    if (stats::is_scheduled(e.total)) {
      series.front().label = "service time";
      series.push_back(distribution(corrected, "corrected"));
    }
    out += figure(fmt::format("{} ({} requests)", name, e.total.num_requests),
                  svg_line_chart(series, o));
  };
  one(s.aggregated, stats::aggregated_corrected_latency(s));
  for (const auto& e : s.endpoints) one(e, stats::corrected_latency(e.total));
  out += "</div>\n</section>\n";
  return out;
}

std::string failures_section(const stats::Snapshot& s) {
  std::string out = "<section id=\"failures\"><h2>Failures</h2>\n";
  if (s.errors.empty()) {
    out += "<p class=\"muted\">No request failed.</p>\n</section>\n";
    return out;
  }
  out +=
      "<div class=\"wide\"><table id=\"failures-table\"><thead><tr><th class=\"n\">"
      "Occurrences</th><th>Method</th><th>Name</th><th>Error</th></tr></thead><tbody>\n";
  for (const auto& [key, count] : s.errors) {
    out += fmt::format(
        "<tr><td class=\"n\">{}</td><td>{}</td><td class=\"name\">{}</td><td "
        "class=\"msg\">{}</td></tr>\n",
        count.occurrences, esc(key.method), esc(key.name), esc(key.message));
  }
  out += "</tbody></table></div>\n</section>\n";
  return out;
}

std::string exceptions_section(const stats::Snapshot& s) {
  std::string out = "<section id=\"exceptions\"><h2>Exceptions</h2>\n";
  if (s.exceptions.empty()) {
    out += "<p class=\"muted\">The scenario raised no error.</p>\n</section>\n";
    return out;
  }
  out +=
      "<div class=\"wide\"><table id=\"exceptions-table\"><thead><tr><th class=\"n\">Count</th>"
      "<th>Message</th></tr></thead><tbody>\n";
  for (const auto& [message, count] : s.exceptions) {
    out += fmt::format("<tr><td class=\"n\">{}</td><td class=\"msg\">{}</td></tr>\n", count,
                       esc(message));
  }
  out += "</tbody></table></div>\n</section>\n";
  return out;
}

}  // namespace

std::string html_report(const HtmlReport& r) {
  const stats::Snapshot& s = *r.snap;
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"color-scheme\" content=\"light dark\">\n"
      // Nothing may be loaded from anywhere: the page is complete as it is.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\">\n";
  out += fmt::format("<title>arrload report: {}</title>\n<style>{}</style>\n</head>\n<body>\n",
                     esc(r.info.host.empty() ? r.info.scenario : r.info.host), kStyle);
  out += "<header><h1>arrload report</h1>\n";
  out +=
      fmt::format("<p class=\"sub\">{} · {} · {} → {}</p>\n", esc(r.info.host),
                  esc(r.info.scenario), esc(utc_time(s.start_unix)), esc(utc_time(s.taken_unix)));
  if (r.info.verdict != nullptr) {
    out += fmt::format("<p><span class=\"badge {}\">{}</span></p>\n",
                       r.info.verdict->pass() ? "pass" : "fail", esc(r.info.verdict->summary()));
  }
  out += fmt::format(
      "<p>{} requests, {} failures ({:.2f}%), {:.2f} requests/s over {:.1f} s, peak {} "
      "users</p>\n</header>\n",
      s.aggregated.total.num_requests, s.aggregated.total.num_failures, s.fail_ratio() * 100,
      s.total_rps(s.aggregated), s.elapsed_s, s.peak_user_count);
  const std::string corrected = corrected_section(s);
  out += fmt::format(
      "<nav><a href=\"#run\">Run</a><a href=\"#verdict\">Verdict</a><a "
      "href=\"#stats\">Statistics</a>{}{}<a href=\"#charts\">Charts</a><a "
      "href=\"#percentiles\">Percentiles</a><a href=\"#distribution\">Distribution</a><a "
      "href=\"#failures\">Failures</a><a href=\"#exceptions\">Exceptions</a></nav>\n<main>\n",
      r.baseline_section.empty() ? "" : "<a href=\"#baseline\">Baseline</a>",
      corrected.empty() ? "" : "<a href=\"#corrected\">Coordinated omission</a>");
  out += run_section(r);
  out += verdict_section(r);
  out += stats_section(s);
  out += r.baseline_section;
  out += corrected;
  out += charts_section(r);
  out += percentiles_section(s);
  out += distribution_section(s);
  out += failures_section(s);
  out += exceptions_section(s);
  out += fmt::format("</main>\n<footer>Generated by arrload {} at {}.</footer>\n</body>\n</html>\n",
                     ARRLOAD_VERSION, esc(utc_time(s.taken_unix)));
  return out;
}

void write_html(const std::string& path, const HtmlReport& report) {
  write_text_file(path, html_report(report));
}

}  // namespace arrload::report
