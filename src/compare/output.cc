#include "compare/output.h"

#include <algorithm>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "report/format.h"

namespace arrload::compare {

namespace json = boost::json;

namespace {

std::string xml(std::string_view s) { return report::html_escape(s); }

std::string list(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string check_name(const Check& c) { return c.subject + " " + c.rule.text; }

json::value maybe(bool has, double v) { return has ? json::value(v) : json::value(nullptr); }

json::object change_json(const Change& c) {
  json::object o{{"metric", c.figure.name()},
                 {"baseline", maybe(c.has_data, c.base)},
                 {"new", maybe(c.has_data, c.next)},
                 {"delta", maybe(c.has_data, c.delta)},
                 {"within_noise", c.within_noise}};
  o["relative"] = maybe(c.relative.has_value(), c.relative.value_or(0));
  return o;
}

}  // namespace

std::string comparison_table(const Comparison& c) {
  std::size_t width = 24;
  for (const Row& r : c.rows) width = std::max(width, r.key.size());
  width = std::min<std::size_t>(width, 60);
  const auto line = [width](std::string_view name, std::string_view metric, std::string_view a,
                            std::string_view b, std::string_view change) {
    return fmt::format("{:<{}} {:<12} {:>12} {:>12}  {}\n", name, width, metric, a, b, change);
  };
  std::string out = fmt::format("Baseline: {}\nNew:      {}\n\n", c.baseline, c.current);
  out += line("Name", "Metric", "Baseline", "New", "Change");
  out += std::string(width + 60, '-') + "\n";
  for (const Row& r : c.rows) {
    const std::string name = r.key.size() > width ? r.key.substr(0, width - 3) + "..." : r.key;
    bool first = true;
    for (const Change& ch : r.changes) {
      const std::string mark = ch.has_data && ch.delta != 0 && ch.within_noise ? " ~" : "";
      out += line(first ? name : "", ch.figure.name(), ch.has_data ? ch.describe(ch.base) : "-",
                  ch.has_data ? ch.describe(ch.next) : "-", ch.describe_delta() + mark);
      first = false;
    }
  }
  out += "~ within the run-to-run noise (95% intervals from the sample counts, docs/compare.md)\n";
  if (!c.added.empty()) out += "New endpoints (only in the new run): " + list(c.added) + "\n";
  if (!c.vanished.empty()) {
    out += "Vanished endpoints (only in the baseline): " + list(c.vanished) + "\n";
  }
  if (!c.checks.empty()) {
    std::size_t budget_w = 14;
    for (const Check& k : c.checks) {
      budget_w = std::max(budget_w, k.rule.text.size());
    }
    out += fmt::format("\n{:<{}} {:<{}} {:<6} {}\n", "Regression", width, "Budget", budget_w,
                       "Result", "Change");
    for (const Check& k : c.checks) {
      const std::string name =
          k.subject.size() > width ? k.subject.substr(0, width - 3) + "..." : k.subject;
      out += fmt::format("{:<{}} {:<{}} {:<6} {}\n", name, width, k.rule.text, budget_w,
                         k.pass ? "pass" : "FAIL", k.describe());
    }
  }
  out += c.summary() + "\n";
  return out;
}

std::string junit_xml(const Comparison& c) {
  std::size_t failures = 0;
  for (const Check& k : c.checks) failures += k.pass ? 0 : 1;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"arrload compare\" tests=\"{}\" failures=\"{}\">\n",
                     c.checks.size(), failures);
  out += fmt::format(
      "  <testsuite name=\"arrload compare\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n",
      c.checks.size(), failures);
  out += fmt::format(
      "    <properties><property name=\"baseline\" value=\"{}\"/><property name=\"new\" "
      "value=\"{}\"/></properties>\n",
      xml(c.baseline), xml(c.current));
  for (const Check& k : c.checks) {
    const std::string classname =
        k.subject == "Aggregated" ? "regression.run"
                                  : "regression." + (k.category.empty() ? "endpoint" : k.category);
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"0\"", xml(classname),
                       xml(check_name(k)));
    if (k.pass) {
      out += "/>\n";
      continue;
    }
    const std::string text = fmt::format("{}: {} went from {} to {}: {}", k.subject,
                                         k.rule.figure.name(), k.change.describe(k.change.base),
                                         k.change.describe(k.change.next), k.describe());
    out += fmt::format(">\n      <failure type=\"regression\" message=\"{}\">{}</failure>\n",
                       xml(text), xml(text));
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

std::string comparison_json(const Comparison& c) {
  json::array rows;
  for (const Row& r : c.rows) {
    json::array changes;
    for (const Change& ch : r.changes) changes.push_back(change_json(ch));
    rows.push_back(
        json::object{{"name", r.key}, {"category", r.category}, {"changes", std::move(changes)}});
  }
  json::array checks;
  for (const Check& k : c.checks) {
    json::object o = change_json(k.change);
    o["subject"] = k.subject;
    o["category"] = k.category;
    o["budget"] = k.rule.text;
    o["allowed"] = k.rule.describe_allowed();
    o["exceeded"] = k.exceeded;
    o["pass"] = k.pass;
    checks.push_back(std::move(o));
  }
  json::array added, vanished;
  for (const std::string& n : c.added) added.push_back(json::string(n));
  for (const std::string& n : c.vanished) vanished.push_back(json::string(n));
  json::object root{{"baseline", c.baseline},     {"new", c.current},
                    {"pass", c.pass()},           {"exit_code", c.exit_code()},
                    {"summary", c.summary()},     {"rows", std::move(rows)},
                    {"added", std::move(added)},  {"vanished", std::move(vanished)},
                    {"checks", std::move(checks)}};
  return json::serialize(root) + "\n";
}

}  // namespace arrload::compare
