#include "compare/html.h"

#include <fmt/format.h>

#include "report/format.h"

namespace arrload::compare {

namespace {

std::string esc(std::string_view s) { return report::html_escape(s); }

std::string row_html(const Row& r, bool total) {
  std::string out;
  bool first = true;
  for (const Change& c : r.changes) {
    out += fmt::format(
        "<tr{}><td class=\"name\">{}</td><td>{}</td><td class=\"n\">{}</td><td "
        "class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>\n",
        total && first ? " class=\"total\"" : "", first ? esc(r.key) : "", esc(c.figure.name()),
        c.has_data ? esc(c.describe(c.base)) : "-", c.has_data ? esc(c.describe(c.next)) : "-",
        esc(c.describe_delta()),
        c.has_data && c.delta != 0 && c.within_noise ? "<span class=\"muted\">within noise</span>"
                                                     : "");
    first = false;
  }
  return out;
}

std::string checks_html(const Comparison& c) {
  if (c.checks.empty()) {
    return "<p class=\"muted\">No regression budget was given (--max-regression): the comparison "
           "is shown, not judged.</p>\n";
  }
  std::string out =
      "<div class=\"wide\"><table id=\"regression-table\"><thead><tr><th>Name</th><th>Budget</th>"
      "<th>Result</th><th>Change</th></tr></thead><tbody>\n";
  for (const Check& k : c.checks) {
    out += fmt::format(
        "<tr><td class=\"name\">{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>\n",
        esc(k.subject), esc(k.rule.text), k.pass ? "pass" : "fail", k.pass ? "PASS" : "FAIL",
        esc(k.describe()));
  }
  return out + "</tbody></table></div>\n";
}

}  // namespace

std::string html_section(const Comparison& c) {
  std::string out = fmt::format(
      "<section id=\"baseline\"><h2>Baseline comparison</h2>\n<p><span class=\"badge "
      "{}\">{}</span> "
      "<span class=\"muted\">baseline {}</span></p>\n",
      c.checks.empty() ? "muted"
      : c.pass()       ? "pass"
                       : "fail",
      esc(c.summary()), esc(c.baseline));
  out +=
      "<div class=\"wide\"><table id=\"baseline-table\"><thead><tr><th>Name</th><th>Metric</th>"
      "<th class=\"n\">Baseline</th><th class=\"n\">This run</th><th class=\"n\">Change</th>"
      "<th>Noise</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    out += row_html(c.rows[i], i + 1 == c.rows.size());
  }
  out += "</tbody></table></div>\n";
  out +=
      "<p class=\"muted\">\"within noise\": the change is inside the run-to-run spread "
      "estimated from the sample counts (95% intervals; docs/compare.md).</p>\n";
  auto names = [](const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& n : v) s += (s.empty() ? "" : ", ") + esc(n);
    return s;
  };
  if (!c.added.empty())
    out += "<p>New endpoints (not in the baseline): " + names(c.added) + "</p>\n";
  if (!c.vanished.empty()) {
    out += "<p>Vanished endpoints (only in the baseline): " + names(c.vanished) + "</p>\n";
  }
  return out + checks_html(c) + "</section>\n";
}

}  // namespace arrload::compare
