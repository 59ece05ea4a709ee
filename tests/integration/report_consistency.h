#pragma once
// The same run told five ways must tell the same counts: reads the requests and failures per
// endpoint, the totals and the grouped errors from PREFIX_stats.csv + PREFIX_failures.csv, the
// JSON report, the HTML report and the console summary, and lists every disagreement.
//
//   ReportFiles files{.csv_prefix = p, .json = p + ".json", .html = p + ".html", .console = out};
//   EXPECT_EQ(report_inconsistencies(files), "") ;
//
// A source left empty is not checked. The JSON must parse (boost::json, which also rejects
// invalid UTF-8); every report must hold an Aggregated row; the per-endpoint rows must add up
// to it; the grouped errors' occurrences per endpoint must add up to its failures.
#include <cstring>
#include <map>
#include <regex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "integration/harness.h"

namespace arrload::testing {

struct ReportFiles {
  std::string csv_prefix;  // PREFIX of PREFIX_stats.csv and PREFIX_failures.csv
  std::string json;        // path of the JSON report
  std::string html;        // path of the HTML report
  std::string console;     // the console's output (stdout), holding the final summary
};

// What one report says.
struct ReportCounts {
  using Key = std::pair<std::string, std::string>;  // method, name
  std::map<Key, std::pair<long, long>> endpoints;   // requests, failures
  long requests = -1;                               // the Aggregated row (-1: none)
  long failures = -1;
  std::map<std::tuple<std::string, std::string, std::string>, long> errors;  // → occurrences
  std::string problem;  // why it could not be read ("" when it was)
};

namespace consistency_detail {

inline long to_long(const std::string& s) {
  try {
    return std::stol(s);
  } catch (...) {
    return -2;
  }
}

inline std::string unescape_html(std::string s) {
  static const std::pair<const char*, const char*> kEntities[] = {{"&lt;", "<"},    {"&gt;", ">"},
                                                                  {"&quot;", "\""}, {"&#39;", "'"},
                                                                  {"&#x27;", "'"},  {"&amp;", "&"}};
  for (const auto& [from, to] : kEntities) {
    for (std::size_t at; (at = s.find(from)) != std::string::npos;) s.replace(at, strlen(from), to);
  }
  return s;
}

// The rows (each a list of cell texts) of the HTML table with id ID.
inline std::vector<std::vector<std::string>> html_rows(const std::string& html,
                                                       const std::string& id) {
  std::vector<std::vector<std::string>> rows;
  const std::size_t start = html.find("<table id=\"" + id + "\"");
  if (start == std::string::npos) return rows;
  const std::size_t end = html.find("</table>", start);
  const std::string table = html.substr(start, end - start);
  const std::size_t body = table.find("<tbody>");
  if (body == std::string::npos) return rows;
  static const std::regex kRow(R"(<tr[^>]*>([\s\S]*?)</tr>)");
  static const std::regex kCell(R"(<td[^>]*>([\s\S]*?)</td>)");
  const std::string tbody = table.substr(body);
  for (std::sregex_iterator r(tbody.begin(), tbody.end(), kRow), e; r != e; ++r) {
    std::vector<std::string> cells;
    const std::string row = (*r)[1];
    for (std::sregex_iterator c(row.begin(), row.end(), kCell); c != e; ++c) {
      cells.push_back(unescape_html((*c)[1]));
    }
    rows.push_back(std::move(cells));
  }
  return rows;
}

}  // namespace consistency_detail

inline ReportCounts counts_from_csv(const std::string& prefix) {
  using consistency_detail::to_long;
  ReportCounts c;
  const auto stats = split_lines(read_file(prefix + "_stats.csv"));
  if (stats.empty()) c.problem = "no " + prefix + "_stats.csv";
  for (std::size_t i = 1; i < stats.size(); ++i) {
    const auto cells = split_cells(stats[i]);
    if (cells.size() < 4) continue;
    if (cells[1] == "Aggregated" && cells[0].empty()) {
      c.requests = to_long(cells[2]);
      c.failures = to_long(cells[3]);
    } else {
      c.endpoints[{cells[0], cells[1]}] = {to_long(cells[2]), to_long(cells[3])};
    }
  }
  const auto failures = split_lines(read_file(prefix + "_failures.csv"));
  if (failures.empty()) c.problem += " no " + prefix + "_failures.csv";
  for (std::size_t i = 1; i < failures.size(); ++i) {
    const auto cells = split_cells(failures[i]);
    if (cells.size() == 4) c.errors[{cells[0], cells[1], cells[2]}] += to_long(cells[3]);
  }
  return c;
}

inline ReportCounts counts_from_json(const std::string& path) {
  ReportCounts c;
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(read_file(path), ec);
  if (ec || !v.is_object()) {
    c.problem = fmt::format("{} does not parse as JSON: {}", path, ec.message());
    return c;
  }
  try {
    for (const auto& e : v.at("stats").as_array()) {
      c.endpoints[{std::string(e.at("method").as_string()),
                   std::string(e.at("name").as_string())}] = {
          e.at("num_requests").to_number<long>(), e.at("num_failures").to_number<long>()};
    }
    c.requests = v.at("aggregated").at("num_requests").to_number<long>();
    c.failures = v.at("aggregated").at("num_failures").to_number<long>();
    for (const auto& e : v.at("errors").as_array()) {
      c.errors[{std::string(e.at("method").as_string()), std::string(e.at("name").as_string()),
                std::string(e.at("error").as_string())}] += e.at("occurrences").to_number<long>();
    }
  } catch (const std::exception& e) {
    c.problem = fmt::format("{}: missing or mistyped field: {}", path, e.what());
  }
  return c;
}

inline ReportCounts counts_from_html(const std::string& path) {
  using consistency_detail::to_long;
  ReportCounts c;
  const std::string html = read_file(path);
  const auto stats = consistency_detail::html_rows(html, "stats-table");
  if (stats.empty()) c.problem = path + ": no stats-table rows";
  for (const auto& cells : stats) {
    if (cells.size() < 4) continue;
    if (cells[1] == "Aggregated" && cells[0].empty()) {
      c.requests = to_long(cells[2]);
      c.failures = to_long(cells[3]);
    } else {
      c.endpoints[{cells[0], cells[1]}] = {to_long(cells[2]), to_long(cells[3])};
    }
  }
  for (const auto& cells : consistency_detail::html_rows(html, "failures-table")) {
    if (cells.size() == 4) c.errors[{cells[1], cells[2], cells[3]}] += to_long(cells[0]);
  }
  return c;
}

// The final summary's first table and its error report. Endpoint names are matched against
// KNOWN (from another report), since the console pads and may clip them.
inline ReportCounts counts_from_console(const std::string& out, const ReportCounts& known) {
  ReportCounts c;
  // The last request table printed (a live table may come before it), up to its percentiles.
  const std::size_t fails = out.rfind("# fails |");
  const std::size_t at = fails == std::string::npos ? fails : out.rfind('\n', fails) + 1;
  const std::size_t pct = out.find("Response time percentiles", at == std::string::npos ? 0 : at);
  if (at == std::string::npos || pct == std::string::npos) {
    c.problem = "no final summary on the console";
    return c;
  }
  static const std::regex kLine(R"(^(\S*)\s+(.*?)\s+(\d+)\s+(\d+)\([0-9.]+%\) \|)");
  for (const std::string& line : split_lines(out.substr(at, pct - at))) {
    std::smatch m;
    if (!std::regex_search(line, m, kLine)) continue;
    const long reqs = std::stol(m[3]);
    const long fails = std::stol(m[4]);
    if (m[1].str().empty() && m[2] == "Aggregated") {
      c.requests = reqs;
      c.failures = fails;
    } else {
      c.endpoints[{m[1], m[2]}] = {reqs, fails};
    }
  }
  const std::size_t errors = out.find("Error report", pct);
  if (errors == std::string::npos) return c;
  static const std::regex kError(R"(^(\d+)\s+(\S+) (.*)$)");
  for (const std::string& line : split_lines(out.substr(errors))) {
    std::smatch m;
    if (!std::regex_search(line, m, kError)) continue;
    // "METHOD NAME: MESSAGE", where NAME may hold ": ": find the endpoint by name.
    const std::string rest = m[3];
    for (const auto& [key, counts] : known.endpoints) {
      if (key.first == m[2] && rest.rfind(key.second + ": ", 0) == 0) {
        c.errors[{m[2], key.second, rest.substr(key.second.size() + 2)}] += std::stol(m[1]);
        break;
      }
    }
  }
  return c;
}

// Every disagreement between the reports in FILES, one per line; "" when they agree.
inline std::string report_inconsistencies(const ReportFiles& files) {
  std::vector<std::pair<std::string, ReportCounts>> reports;
  if (!files.csv_prefix.empty()) reports.emplace_back("csv", counts_from_csv(files.csv_prefix));
  if (!files.json.empty()) reports.emplace_back("json", counts_from_json(files.json));
  if (!files.html.empty()) reports.emplace_back("html", counts_from_html(files.html));
  if (!files.console.empty() && !reports.empty()) {
    reports.emplace_back("console", counts_from_console(files.console, reports.front().second));
  }
  std::string out;
  for (const auto& [name, c] : reports) {
    if (!c.problem.empty()) out += name + ": " + c.problem + "\n";
    if (c.requests < 0) out += name + ": no Aggregated row\n";
    long reqs = 0, fails = 0;
    std::map<ReportCounts::Key, long> error_sum;
    for (const auto& [key, counts] : c.endpoints) {
      reqs += counts.first;
      fails += counts.second;
    }
    for (const auto& [key, n] : c.errors) error_sum[{std::get<0>(key), std::get<1>(key)}] += n;
    if (reqs != c.requests || fails != c.failures) {
      out +=
          fmt::format("{}: endpoints add up to {} requests, {} failures; Aggregated says {}, {}\n",
                      name, reqs, fails, c.requests, c.failures);
    }
    for (const auto& [key, counts] : c.endpoints) {
      const long grouped = error_sum.count(key) ? error_sum.at(key) : 0;
      if (grouped != counts.second) {
        out += fmt::format("{}: {} {} has {} failures but {} grouped error occurrences\n", name,
                           key.first, key.second, counts.second, grouped);
      }
    }
  }
  for (std::size_t i = 1; i < reports.size(); ++i) {
    const auto& [a_name, a] = reports.front();
    const auto& [b_name, b] = reports[i];
    if (a.requests != b.requests || a.failures != b.failures) {
      out += fmt::format("totals: {} says {}/{}, {} says {}/{}\n", a_name, a.requests, a.failures,
                         b_name, b.requests, b.failures);
    }
    if (a.endpoints != b.endpoints) {
      out += fmt::format("endpoints differ between {} and {}\n", a_name, b_name);
    }
    if (a.errors != b.errors) {
      out += fmt::format("grouped errors differ between {} and {}\n", a_name, b_name);
      for (const auto& [key, n] : b.errors) {
        if (!a.errors.count(key) || a.errors.at(key) != n) {
          out += fmt::format("  {}: {} {}: {} x{}\n", b_name, std::get<0>(key), std::get<1>(key),
                             std::get<2>(key), n);
        }
      }
    }
  }
  return out;
}

}  // namespace arrload::testing
