#include "report/console.h"

#include <algorithm>

#include <fmt/format.h>

#include "report/format.h"

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
                       std::size_t width) {
  const stats::Entry& t = s.total;
  double fail_pct =
      t.num_requests ? 100.0 * static_cast<double>(t.num_failures) / static_cast<double>(t.num_requests)
                     : 0.0;
  auto ms = [&](std::uint64_t us) { return t.num_requests ? ms_cell(static_cast<double>(us)) : "0"; };
  return fmt::format("{:<8} {:<{}} {:>8} {:>13} | {:>7} {:>7} {:>7} {:>7} | {:>8.2f} {:>11.2f}\n",
                     s.key.method, clip(s.key.name, width), width, t.num_requests,
                     fmt::format("{}({:.2f}%)", t.num_failures, fail_pct),
                     t.num_requests ? ms_cell(t.latency.mean()) : "0", ms(t.latency.min()),
                     ms(t.latency.max()), ms(t.latency.percentile(0.5)), s.current_rps,
                     s.current_fail_per_sec);
}

std::string rule(std::size_t width) {
  return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}\n", std::string(8, '-'), std::string(width + 1, '-'),
                     std::string(9, '-'), std::string(14, '-'), std::string(8, '-'),
                     std::string(8, '-'), std::string(8, '-'), std::string(8, '-'),
                     std::string(9, '-'), std::string(12, '-'));
}

}  // namespace

std::string stats_table(const stats::Snapshot& snap) {
  std::size_t width = name_width(snap);
  std::string out = fmt::format("{:<8} {:<{}} {:>8} {:>13} | {:>7} {:>7} {:>7} {:>7} | {:>8} {:>11}\n",
                                "Type", "Name", width, "# reqs", "# fails", "Avg", "Min", "Max",
                                "Med", "req/s", "failures/s");
  out += rule(width);
  for (const auto& e : snap.endpoints) out += stats_line(snap, e, width);
  out += rule(width);
  out += stats_line(snap, snap.aggregated, width);
  return out;
}

std::string percentiles_table(const stats::Snapshot& snap) {
  std::size_t width = name_width(snap);
  std::string out = "Response time percentiles (approximated)\n";
  out += fmt::format("{:<8} {:<{}}", "Type", "Name", width);
  for (const char* label : kPercentileLabels) out += fmt::format(" {:>7}", label);
  out += fmt::format(" {:>8}\n", "# reqs");
  out += std::string(8, '-') + "|" + std::string(width + 1, '-') + "|" +
         std::string(8 * std::size(kPercentiles), '-') + "|" + std::string(9, '-') + "\n";
  auto line = [&](const stats::EndpointStats& s) {
    std::string l = fmt::format("{:<8} {:<{}}", s.key.method, clip(s.key.name, width), width);
    for (double q : kPercentiles) {
      l += fmt::format(" {:>7}", s.total.num_requests
                                     ? ms_cell(static_cast<double>(s.total.latency.percentile(q)))
                                     : "N/A");
    }
    return l + fmt::format(" {:>8}\n", s.total.num_requests);
  };
  for (const auto& e : snap.endpoints) out += line(e);
  out += std::string(8, '-') + "|" + std::string(width + 1, '-') + "|" +
         std::string(8 * std::size(kPercentiles), '-') + "|" + std::string(9, '-') + "\n";
  out += line(snap.aggregated);
  return out;
}

std::string error_report(const stats::Snapshot& snap) {
  if (snap.errors.empty()) return {};
  std::string out = "Error report\n";
  out += fmt::format("{:<18} {}\n", "# occurrences", "Error");
  out += std::string(18, '-') + "|" + std::string(60, '-') + "\n";
  for (const auto& [key, count] : snap.errors) {
    out += fmt::format("{:<18} {} {}: {}\n", count.occurrences, key.method, key.name, key.message);
  }
  return out;
}

std::string final_summary(const stats::Snapshot& snap) {
  std::string out = stats_table(snap) + "\n" + percentiles_table(snap) + "\n";
  if (std::string errors = error_report(snap); !errors.empty()) out += errors + "\n";
  if (!snap.exceptions.empty()) {
    out += "Exceptions (errors in the scenario's logic)\n";
    for (const auto& [message, count] : snap.exceptions) out += fmt::format("{:<18} {}\n", count, message);
    out += "\n";
  }
  return out;
}

}  // namespace arrload::report
