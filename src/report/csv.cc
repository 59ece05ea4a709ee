#include "report/csv.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "core/output_file.h"
#include "report/format.h"
#include "stats/corrected.h"

namespace arrload::report {

namespace {

// Python's csv module quoting (QUOTE_MINIMAL), which Locust's files use.
std::string field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// Locust prints rates with Python's str(float); we print up to 6 decimals, trailing zeros trimmed.
std::string rate(double v) {
  std::string s = fmt::format("{:.6f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s += '0';
  return s;
}

// The response times a row reports, and how many samples they hold: an entry's service times
// and requests, or its corrected times and samples (stats/corrected.h).
struct Times {
  const stats::Histogram& histogram;
  std::uint64_t samples;
};

Times service(const stats::Entry& e) { return {e.latency, e.num_requests}; }

std::string percentile_cells(const Times& t) {
  std::string out;
  for (double q : kPercentiles) {
    out += ',';
    out += t.samples ? ms_cell(static_cast<double>(t.histogram.percentile(q))) : "N/A";
  }
  return out;
}

// Median, Average, Min, Max (from T), Average Content Size (of E's responses): the columns both
// files share.
std::string summary_cells(const stats::Entry& e, const Times& t) {
  if (t.samples == 0) return "0,0.0,0,0,0.0";
  const stats::Histogram& h = t.histogram;
  double avg_size = e.num_requests
                        ? static_cast<double>(e.content_bytes) / static_cast<double>(e.num_requests)
                        : 0.0;
  return fmt::format("{},{},{},{},{}", ms_cell(static_cast<double>(h.percentile(0.5))),
                     ms_cell(h.mean()), ms_cell(static_cast<double>(h.min())),
                     ms_cell(static_cast<double>(h.max())), rate(avg_size));
}

std::string stats_row(const stats::Snapshot& snap, const stats::EndpointStats& s, const Times& t) {
  return fmt::format("{},{},{},{},{},{},{}{}\n", field(s.key.method), field(s.key.name), t.samples,
                     s.total.num_failures, summary_cells(s.total, t), rate(snap.total_rps(s)),
                     rate(snap.total_fail_per_sec(s)), percentile_cells(t));
}

std::string stats_header() {
  std::string out =
      "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
      "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s";
  for (const char* label : kPercentileLabels) out += fmt::format(",{}", label);
  return out + '\n';
}

std::string history_row(const stats::Snapshot& snap, const stats::EndpointStats& s,
                        bool current_percentiles) {
  return fmt::format(
      "{},{},{},{},{},{}{},{},{},{}\n", static_cast<long long>(snap.taken_unix), snap.user_count,
      field(s.key.method), field(s.key.name), rate(s.current_rps), rate(s.current_fail_per_sec),
      percentile_cells(service(current_percentiles ? s.recent : s.total)), s.total.num_requests,
      s.total.num_failures, summary_cells(s.total, service(s.total)));
}

}  // namespace

std::string stats_csv(const stats::Snapshot& snap) {
  std::string out = stats_header();
  for (const auto& e : snap.endpoints) out += stats_row(snap, e, service(e.total));
  out += stats_row(snap, snap.aggregated, service(snap.aggregated.total));
  return out;
}

std::string corrected_stats_csv(const stats::Snapshot& snap) {
  std::string out = stats_header();
  for (const auto& e : snap.endpoints) {
    const stats::Histogram& h = stats::corrected_latency(e.total);
    out += stats_row(snap, e, {h, h.count()});
  }
  const stats::Histogram total = stats::aggregated_corrected_latency(snap);
  out += stats_row(snap, snap.aggregated, {total, total.count()});
  return out;
}

std::string failures_csv(const stats::Snapshot& snap) {
  std::string out = "Method,Name,Error,Occurrences\n";
  for (const auto& [key, count] : snap.errors) {
    out += fmt::format("{},{},{},{}\n", field(key.method), field(key.name), field(key.message),
                       count.occurrences);
  }
  return out;
}

std::string exceptions_csv(const stats::Snapshot& snap) {
  std::string out = "Count,Message,Traceback,Nodes\n";
  for (const auto& [message, count] : snap.exceptions) {
    out += fmt::format("{},{},,local\n", count, field(message));
  }
  return out;
}

std::string history_csv_header() {
  std::string out = "Timestamp,User Count,Type,Name,Requests/s,Failures/s";
  for (const char* label : kPercentileLabels) out += fmt::format(",{}", label);
  out +=
      ",Total Request Count,Total Failure Count,Total Median Response Time,"
      "Total Average Response Time,Total Min Response Time,Total Max Response Time,"
      "Total Average Content Size\n";
  return out;
}

std::string history_csv_rows(const stats::Snapshot& snap, bool full_history) {
  std::string out;
  // As in Locust: with full history, every endpoint plus the total, percentiles over the recent
  // window; without, only the total with percentiles since the start.
  if (full_history) {
    for (const auto& e : snap.endpoints) out += history_row(snap, e, true);
  }
  out += history_row(snap, snap.aggregated, full_history);
  return out;
}

void write_final_csv(const std::string& prefix, const stats::Snapshot& snap) {
  write_text_file(prefix + "_stats.csv", stats_csv(snap));
  if (stats::has_schedule(snap)) {
    write_text_file(prefix + "_corrected_stats.csv", corrected_stats_csv(snap));
  }
  write_text_file(prefix + "_failures.csv", failures_csv(snap));
  write_text_file(prefix + "_exceptions.csv", exceptions_csv(snap));
}

HistoryCsv::HistoryCsv(const std::string& prefix, bool full_history) : full_history_(full_history) {
  std::string path = prefix + "_stats_history.csv";
  std::string error;
  file_ = core::open_output_file(path, /*append=*/false, &error);
  if (!file_) throw std::runtime_error(fmt::format("cannot write {}", error));
  std::string header = history_csv_header();
  std::fwrite(header.data(), 1, header.size(), file_);
  std::fflush(file_);
}

HistoryCsv::~HistoryCsv() {
  if (file_) std::fclose(file_);
}

void HistoryCsv::append(const stats::Snapshot& snap) {
  std::string rows = history_csv_rows(snap, full_history_);
  std::fwrite(rows.data(), 1, rows.size(), file_);
  std::fflush(file_);
}

}  // namespace arrload::report
