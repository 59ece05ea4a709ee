// Locust's stats CSV (and arrload's corrected one, with the same columns) into RunData.
#include <cstdlib>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "compare/load.h"
#include "report/format.h"

namespace arrload::compare {

namespace {

// The cells of one line, with Python csv's quoting ("a, b", doubled quotes).
std::vector<std::string> cells_of(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      cur += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.push_back(std::move(cur));
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
  return out;
}

// One stats CSV file, its columns found by their header names.
class StatsCsv {
 public:
  StatsCsv(const std::string& text, std::string name) : name_(std::move(name)) {
    std::istringstream in(text);
    std::string line;
    if (!std::getline(in, line)) throw InputError(fmt::format("{}: empty file", name_));
    header_ = cells_of(line);
    for (std::size_t i = 0; i < header_.size(); ++i) columns_[header_[i]] = i;
    for (const char* needed :
         {"Type", "Name", "Request Count", "Failure Count", "Average Response Time",
          "Min Response Time", "Max Response Time", "Requests/s"}) {
      if (!columns_.count(needed)) {
        throw InputError(fmt::format(
            "{}:1: no '{}' column (is this a Locust/arrload _stats.csv file?)", name_, needed));
      }
    }
    for (int n = 2; std::getline(in, line); ++n) {
      if (line.empty() || line == "\r") continue;
      std::vector<std::string> cells = cells_of(line);
      if (cells.size() != header_.size()) {
        throw InputError(fmt::format("{}:{}: {} cells, the header has {}", name_, n, cells.size(),
                                     header_.size()));
      }
      rows_.push_back(Row{n, std::move(cells)});
    }
  }

  struct Row {
    int line;
    std::vector<std::string> cells;
  };
  const std::vector<Row>& rows() const { return rows_; }

  const std::string& text(const Row& r, const char* column) const {
    return r.cells[columns_.at(column)];
  }
  // The number in COLUMN; nullopt for "N/A" or a missing column; throws for anything else.
  std::optional<double> number(const Row& r, const std::string& column) const {
    auto it = columns_.find(column);
    if (it == columns_.end()) return std::nullopt;
    const std::string& s = r.cells[it->second];
    if (s == "N/A" || s.empty()) return std::nullopt;
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) {
      throw InputError(fmt::format("{}:{}: {}: '{}' is not a number", name_, r.line, column, s));
    }
    return v;
  }
  double required(const Row& r, const char* column) const { return number(r, column).value_or(0); }

  Endpoint endpoint(const Row& r) const {
    Endpoint e;
    e.method = text(r, "Type");
    e.name = text(r, "Name");
    e.requests = static_cast<std::uint64_t>(required(r, "Request Count"));
    e.failures = static_cast<std::uint64_t>(required(r, "Failure Count"));
    e.rps = required(r, "Requests/s");
    e.service = distribution(r);
    return e;
  }

  Distribution distribution(const Row& r) const {
    Distribution d;
    d.samples = static_cast<std::uint64_t>(required(r, "Request Count"));
    if (d.samples == 0) return d;
    d.avg_ms = required(r, "Average Response Time");
    d.points.emplace_back(0.0, required(r, "Min Response Time"));
    for (std::size_t i = 0; i < std::size(report::kPercentiles); ++i) {
      if (auto v = number(r, report::kPercentileLabels[i])) {
        d.points.emplace_back(report::kPercentiles[i], std::max(d.points.back().second, *v));
      }
    }
    if (d.points.back().first < 1.0) {
      d.points.emplace_back(1.0,
                            std::max(d.points.back().second, required(r, "Max Response Time")));
    }
    return d;
  }

 private:
  std::string name_;
  std::vector<std::string> header_;
  std::map<std::string, std::size_t> columns_;
  std::vector<Row> rows_;
};

bool same(const Distribution& a, const Distribution& b) {
  return a.samples == b.samples && a.avg_ms == b.avg_ms && a.points == b.points;
}

}  // namespace

RunData run_from_csv(const std::string& stats, const std::string& stats_name,
                     const std::string& corrected, const std::string& corrected_name) {
  const StatsCsv csv(stats, stats_name);
  RunData run;
  run.source = stats_name;
  bool have_aggregated = false;
  for (const StatsCsv::Row& r : csv.rows()) {
    Endpoint e = csv.endpoint(r);
    if (e.method.empty() && e.name == "Aggregated") {
      run.aggregated = std::move(e);
      have_aggregated = true;
    } else {
      run.endpoints.push_back(std::move(e));
    }
  }
  if (!have_aggregated) throw InputError(fmt::format("{}: no Aggregated row", stats_name));
  if (run.aggregated.rps > 0) {
    run.duration_s = static_cast<double>(run.aggregated.requests) / run.aggregated.rps;
  }
  if (corrected.empty()) return run;
  const StatsCsv fixed(corrected, corrected_name);
  for (const StatsCsv::Row& r : fixed.rows()) {
    const std::string& method = fixed.text(r, "Type");
    const std::string& name = fixed.text(r, "Name");
    Endpoint* e = method.empty() && name == "Aggregated" ? &run.aggregated : nullptr;
    for (Endpoint& x : run.endpoints) {
      if (x.method == method && x.name == name) e = &x;
    }
    if (e == nullptr) continue;  // the corrected file has the same rows; ignore a stray one
    Distribution d = fixed.distribution(r);
    // A row with nothing scheduled repeats its service times: no corrected figures of its own.
    if (!same(d, e->service)) e->corrected = std::move(d);
  }
  return run;
}

}  // namespace arrload::compare
