#include "report/verdict.h"

#include <algorithm>

#include <fmt/format.h>

#include "report/format.h"

namespace arrload::report {

namespace {

// '&#39;' and the other references html_escape writes are valid XML too.
std::string xml_escape(std::string_view s) { return html_escape(s); }

std::string failure_text(const budget::Check& c) {
  if (!c.has_data) {
    return fmt::format("{}: {} but no requests were recorded ({})", c.subject,
                       c.threshold.describe(), c.origin);
  }
  return fmt::format("{}: {} is {}, budget {} ({}; {})", c.subject, c.threshold.metric_name(),
                     c.describe_actual(), c.threshold.describe(), c.margin, c.origin);
}

}  // namespace

bool any_corrected(const budget::Verdict& v) {
  return std::any_of(v.checks.begin(), v.checks.end(),
                     [](const budget::Check& c) { return c.corrected; });
}

std::string verdict_table(const budget::Verdict& v) {
  std::size_t width = 20, budget_w = 18, actual_w = 12;
  for (const budget::Check& c : v.checks) {
    width = std::max(width, c.subject.size());
    budget_w = std::max(budget_w, c.threshold.describe().size());
    actual_w = std::max(actual_w, c.describe_actual().size());
  }
  width = std::min<std::size_t>(width, 60);
  auto row = [&](std::string_view subject, std::string_view category, std::string_view budget,
                 std::string_view actual, std::string_view result, std::string_view margin) {
    return fmt::format("{:<{}} {:<10} {:<{}} {:>{}} {:<6} {}\n", subject, width, category, budget,
                       budget_w, actual, actual_w, result, margin);
  };
  std::string out = row("Verdict", "Category", "Budget", "Actual", "Result", "Margin");
  out += std::string(width + budget_w + actual_w + 32, '-') + "\n";
  for (const budget::Check& c : v.checks) {
    std::string subject =
        c.subject.size() > width ? c.subject.substr(0, width - 3) + "..." : c.subject;
    out += row(subject, c.subject == "run" ? "(run)" : c.category, c.threshold.describe(),
               c.describe_actual(), c.pass ? "pass" : "FAIL", c.pass ? "" : c.margin);
  }
  for (const budget::Criterion& c : v.criteria) {
    out += row(c.name, "(run)", "", "", c.pass ? "pass" : "FAIL", c.detail);
  }
  if (any_corrected(v)) out += std::string(kCorrectedNote) + "\n";
  for (const std::string& n : v.notes) out += "Note: " + n + "\n";
  out += v.summary() + "\n";
  return out;
}

std::string junit_xml(const budget::Verdict& v, double duration_s) {
  std::size_t failures = 0;
  for (const auto& c : v.checks) failures += c.pass ? 0 : 1;
  for (const auto& c : v.criteria) failures += c.pass ? 0 : 1;
  const std::size_t tests = v.checks.size() + v.criteria.size();
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"arrload\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n",
                     tests, failures, duration_s);
  out += fmt::format(
      "  <testsuite name=\"arrload budgets\" tests=\"{}\" failures=\"{}\" errors=\"0\" "
      "time=\"{:.3f}\">\n",
      tests, failures, duration_s);
  for (const budget::Check& c : v.checks) {
    const std::string classname = c.subject == "run" ? "run" : "category." + c.category;
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"0\"",
                       xml_escape(classname), xml_escape(c.subject + " " + c.threshold.describe()));
    if (c.pass) {
      out += "/>\n";
      continue;
    }
    const std::string text = failure_text(c);
    out += fmt::format(">\n      <failure type=\"budget\" message=\"{}\">{}</failure>\n",
                       xml_escape(text), xml_escape(text));
    out += "    </testcase>\n";
  }
  for (const budget::Criterion& c : v.criteria) {
    out += fmt::format("    <testcase classname=\"criteria\" name=\"{}\" time=\"0\"",
                       xml_escape(c.name));
    if (c.pass) {
      out += "/>\n";
      continue;
    }
    out += fmt::format(">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                       xml_escape(c.name), xml_escape(c.detail), xml_escape(c.detail));
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

void write_junit(const std::string& path, const budget::Verdict& v, double duration_s) {
  write_text_file(path, junit_xml(v, duration_s));
}

}  // namespace arrload::report
