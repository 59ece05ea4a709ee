#include "report/console.h"

#include <algorithm>

#include <fmt/format.h>

#include "report/format.h"
#include "stats/corrected.h"

namespace arrload::report {

namespace {

std::size_t name_width(const stats::Snapshot& snap) {
  std::size_t w = 20;
  for (const auto& e : snap.endpoints) w = std::max(w, e.key.name.size());
  return std::min<std::size_t>(w, 70);
}

std::string clip(const std::string& s, std::size_t width) {
  if (s.size() <= width) return s;
  return s.substr(0, width - 3) + "...";
}

std::string stats_line(const stats::Snapshot& snap, const stats::EndpointStats& s,
                       std::size_t width, bool whole_run) {
  const stats::Entry& t = s.total;
  double fail_pct = t.num_requests ? 100.0 * static_cast<double>(t.num_failures) /
                                         static_cast<double>(t.num_requests)
                                   : 0.0;
  auto ms = [&](std::uint64_t us) {
    return t.num_requests ? ms_cell(static_cast<double>(us)) : "0";
  };
  return fmt::format("{:<8} {:<{}} {:>8} {:>13} | {:>7} {:>7} {:>7} {:>7} | {:>8.2f} {:>11.2f}\n",
                     s.key.method, clip(s.key.name, width), width, t.num_requests,
                     fmt::format("{}({:.2f}%)", t.num_failures, fail_pct),
                     t.num_requests ? ms_cell(t.latency.mean()) : "0", ms(t.latency.min()),
                     ms(t.latency.max()), ms(t.latency.percentile(0.5)),
                     whole_run ? snap.total_rps(s) : s.current_rps,
                     whole_run ? snap.total_fail_per_sec(s) : s.current_fail_per_sec);
}

// A separator line under HEADER: dashes, with a '|' wherever the header has one.
std::string rule(const std::string& header) {
  std::string out;
  for (char c : header) out += c == '|' ? '|' : c == '\n' ? '\n' : '-';
  return out;
}

}  // namespace

std::string stats_table(const stats::Snapshot& snap, bool whole_run) {
  std::size_t width = name_width(snap);
  std::string header = fmt::format(
      "{:<8} {:<{}} {:>8} {:>13} | {:>7} {:>7} {:>7} {:>7} | {:>8} {:>11}\n", "Type", "Name", width,
      "# reqs", "# fails", "Avg", "Min", "Max", "Med", "req/s", "failures/s");
  std::string out = header + rule(header);
  for (const auto& e : snap.endpoints) out += stats_line(snap, e, width, whole_run);
  out += rule(header);
  out += stats_line(snap, snap.aggregated, width, whole_run);
  return out;
}

std::string percentiles_table(const stats::Snapshot& snap) {
  std::size_t width = name_width(snap);
  std::string out = "Response time percentiles (approximated)\n";
  std::string header = fmt::format("{:<8} {:<{}} |", "Type", "Name", width);
  for (const char* label : kPercentileLabels) header += fmt::format(" {:>7}", label);
  header += fmt::format(" | {:>8}\n", "# reqs");
  out += header + rule(header);
  auto line = [&](const stats::EndpointStats& s) {
    std::string l = fmt::format("{:<8} {:<{}} |", s.key.method, clip(s.key.name, width), width);
    for (double q : kPercentiles) {
      l += fmt::format(" {:>7}", s.total.num_requests
                                     ? ms_cell(static_cast<double>(s.total.latency.percentile(q)))
                                     : "N/A");
    }
    return l + fmt::format(" | {:>8}\n", s.total.num_requests);
  };
  for (const auto& e : snap.endpoints) out += line(e);
  out += rule(header);
  out += line(snap.aggregated);
  return out;
}

std::string corrected_table(const stats::Snapshot& snap) {
  if (!stats::has_schedule(snap)) return {};
  std::size_t width = name_width(snap);
  std::string out =
      "Response times corrected for coordinated omission (\"corr.\": from each request's "
      "intended start; beside it the service time)\n";
  std::string header =
      fmt::format("{:<8} {:<{}} | {:>9} {:>16}", "Type", "Name", width, "# samples", "late starts");
  for (const char* label : {"50%", "95%", "99%", "Max"}) {
    header += fmt::format(" | {:>7} {:>7}", label, "corr.");
  }
  header += '\n';
  auto line = [&](const stats::EndpointStats& s, const stats::Histogram& corrected) {
    const stats::Entry& t = s.total;
    std::string l =
        fmt::format("{:<8} {:<{}} | {:>9} {:>16}", s.key.method, clip(s.key.name, width), width,
                    corrected.count(),
                    fmt::format("{}({:.2f}%)", t.late_starts, 100 * stats::late_start_share(t)));
    for (double q : {0.5, 0.95, 0.99, 1.0}) {
      l += fmt::format(" | {:>7} {:>7}", ms_cell(static_cast<double>(t.latency.percentile(q))),
                       ms_cell(static_cast<double>(corrected.percentile(q))));
    }
    return l + '\n';
  };
  if (stats::is_scheduled(snap.aggregated.total)) {
    out += header + rule(header);
    for (const auto& e : snap.endpoints) {
      if (stats::is_scheduled(e.total)) out += line(e, stats::corrected_latency(e.total));
    }
    out += rule(header);
    out += line(snap.aggregated, stats::aggregated_corrected_latency(snap));
  }
  const std::uint64_t due = snap.dropped_iterations + snap.scheduled_iterations;
  if (due > 0) {
    out += fmt::format(
        "Dropped iterations: {} of {} due ({:.2f}%; no free user to start them)\n",
        snap.dropped_iterations, due,
        100 * stats::dropped_share(snap.dropped_iterations, snap.scheduled_iterations).value_or(0));
  }
  return out;
}

std::string error_report(const stats::Snapshot& snap) {
  if (snap.errors.empty()) return {};
  std::string out = "Error report\n";
  out += fmt::format("{:<18} {}\n", "# occurrences", "Error");
  out += fmt::format("{:-<18}|{:-<60}\n", "", "");
  for (const auto& [key, count] : snap.errors) {
    out += fmt::format("{:<18} {} {}: {}\n", count.occurrences, key.method, key.name, key.message);
  }
  return out;
}

std::string final_summary(const stats::Snapshot& snap) {
  std::string out = stats_table(snap, /*whole_run=*/true) + "\n" + percentiles_table(snap) + "\n";
  if (std::string corrected = corrected_table(snap); !corrected.empty()) out += corrected + "\n";
  if (std::string errors = error_report(snap); !errors.empty()) out += errors + "\n";
  if (!snap.exceptions.empty()) {
    out += "Exceptions (errors in the scenario's logic)\n";
    for (const auto& [message, count] : snap.exceptions)
      out += fmt::format("{:<18} {}\n", count, message);
    out += "\n";
  }
  return out;
}

}  // namespace arrload::report
