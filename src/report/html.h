#pragma once
// The self-contained HTML report (--html FILE): one file that opens anywhere with nothing
// fetched — no script, stylesheet, font or image from outside (a Content-Security-Policy in the
// page forbids it). It holds the run's parameters, the budget verdict, Locust's stats and
// percentile tables, failures and exceptions, charts over time and the response-time
// distribution per endpoint, the charts drawn here as inline SVG. Light, dark
// (prefers-color-scheme) and print styles. Content: docs/reports.md.
//
// html_report() only formats data it is given, so a web UI can serve the same page.
#include <string>
#include <vector>

#include "budget/verdict.h"
#include "monitor/memory_sample.h"
#include "report/history.h"
#include "report/json.h"
#include "stats/snapshot.h"

namespace arrload::report {

struct HtmlReport {
  const stats::Snapshot* snap = nullptr;  // required: the final statistics
  RunInfo info;                           // host, scenario, stop reason, verdict, generator
  // The load asked for, as the user wrote it ("" = not given / not applicable).
  std::string users;                 // "50"
  std::string spawn_rate;            // "10/s"
  std::string run_time;              // "60s"; "" = until stopped
  std::string profile;               // the profile's name
  std::string shape;                 // the load shape, described ("ramp: 3 stages, 10m")
  const History* history = nullptr;  // for the charts over time
  const std::vector<monitor::MemorySample>* memory = nullptr;  // the target's memory, if sampled
  std::string memory_source;                                   // "pid 1234", a metrics URL
  // The comparison with a --baseline run, a whole <section id="baseline"> (compare/html.h),
  // shown after the request statistics; "" = none.
  std::string baseline_section;
};

// The whole page. REQUIRES: report.snap != nullptr.
std::string html_report(const HtmlReport& report);
// Writes html_report to PATH ("-" = stdout). Throws std::runtime_error naming the file.
void write_html(const std::string& path, const HtmlReport& report);

}  // namespace arrload::report
