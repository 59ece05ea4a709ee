#include "compare/rule.h"

#include <cmath>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "core/duration.h"

namespace arrload::compare {

namespace {

constexpr const char* kHelp =
    "write [SCOPE:]METRIC:CHANGE, e.g. 'p95:+10%', 'read:p99:+50ms', 'error_rate:+0.5pp', "
    "'rps:-10%' (docs/compare.md)";

[[noreturn]] void bad(std::string_view text, const std::string& what) {
  throw RuleError(fmt::format("bad regression budget '{}': {}; {}", text, what, kHelp));
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// A non-negative number, the whole of TEXT; nullopt otherwise.
std::optional<double> number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v) || v < 0) return std::nullopt;
  return v;
}

// METRIC into *R.
void parse_metric(std::string_view text, std::string m, Figure* r) {
  const std::string suffix = "_service";
  if (m.size() > suffix.size() && m.compare(m.size() - suffix.size(), suffix.size(), suffix) == 0) {
    r->service = true;
    m.resize(m.size() - suffix.size());
  }
  if (m == "error_rate" || m == "rps") {
    if (r->service) bad(text, fmt::format("'{}' is not a response time: no _service", m));
    r->metric = m == "rps" ? Metric::kRps : Metric::kErrorRate;
    return;
  }
  if (m == "avg") {
    r->metric = Metric::kAverage;
    return;
  }
  r->metric = Metric::kPercentile;
  if (m == "median") m = "p50";
  if (m == "max") m = "p100";
  std::string digits;
  if (m.size() > 3 && m.rfind("p(", 0) == 0 && m.back() == ')') {
    digits = m.substr(2, m.size() - 3);
  } else if (m.size() > 1 && m[0] == 'p') {
    digits = m.substr(1);
  } else {
    bad(text, fmt::format("unknown metric '{}' (p50, p95, p99, p99.9, median, max, avg, each "
                          "also with _service; error_rate; rps)",
                          m));
  }
  const std::optional<double> p = number(digits);
  if (!p || *p <= 0 || *p > 100) bad(text, fmt::format("'{}' is not a percentile in (0, 100]", m));
  r->quantile = *p / 100;
}

// CHANGE ("+10%", "+5ms", "+0.5pp", "-10%", "-20/s") into *R.
void parse_change(std::string_view text, const std::string& c, Rule* r) {
  const Figure& f = r->figure;
  const char want = f.up_is_worse() ? '+' : '-';
  if (c.empty() || (c[0] != '+' && c[0] != '-')) {
    bad(text, fmt::format("the change must start with '{}' ({} regresses {})", want, f.name(),
                          want == '+' ? "upwards" : "downwards"));
  }
  if (c[0] != want) {
    bad(text, fmt::format("{} regresses {}: write '{}{}'", f.name(),
                          want == '+' ? "upwards" : "downwards", want, c.substr(1)));
  }
  const std::string body = trim(c.substr(1));
  auto with_suffix = [&body](std::string_view s) {
    return body.size() > s.size() && body.compare(body.size() - s.size(), s.size(), s) == 0;
  };
  auto value = [&](std::size_t cut) {
    auto v = number(trim(body.substr(0, body.size() - cut)));
    if (!v) bad(text, fmt::format("'{}' is not a non-negative number with a unit", body));
    return *v;
  };
  if (with_suffix("%")) {
    r->unit = Unit::kPercent;
    r->allowed = value(1);
  } else if (with_suffix("pp")) {
    if (f.metric != Metric::kErrorRate) bad(text, "pp (percentage points) is for error_rate");
    r->unit = Unit::kPoints;
    r->allowed = value(2);
  } else if (with_suffix("/s")) {
    if (f.metric != Metric::kRps) bad(text, "/s is for rps");
    r->unit = Unit::kPerSecond;
    r->allowed = value(2);
  } else if (f.is_time() && (with_suffix("us") || with_suffix("µs"))) {
    r->unit = Unit::kMs;
    r->allowed = value(with_suffix("us") ? 2 : std::string("µs").size()) / 1000.0;
  } else if (f.is_time()) {
    const bool has_unit = !body.empty() && std::isalpha(static_cast<unsigned char>(body.back()));
    const auto d = has_unit ? core::parse_duration(body) : std::nullopt;
    if (!d) bad(text, fmt::format("'{}' is neither a percentage nor a duration (5ms, 0.5s)", body));
    r->unit = Unit::kMs;
    r->allowed = static_cast<double>(d->count()) / 1000.0;
  } else {
    bad(text, fmt::format("'{}' needs a unit: {}", body,
                          f.metric == Metric::kRps ? "% or /s" : "% or pp"));
  }
}

}  // namespace

std::string Figure::name() const {
  switch (metric) {
    case Metric::kErrorRate:
      return "error_rate";
    case Metric::kRps:
      return "rps";
    case Metric::kAverage:
      return service ? "avg_service" : "avg";
    case Metric::kPercentile:
      break;
  }
  return fmt::format("p{:g}{}", quantile * 100, service ? "_service" : "");
}

std::string Rule::describe_allowed() const {
  const char sign = figure.up_is_worse() ? '+' : '-';
  switch (unit) {
    case Unit::kPercent:
      return fmt::format("{}{:g}%", sign, allowed);
    case Unit::kMs:
      return fmt::format("{}{:g} ms", sign, allowed);
    case Unit::kPoints:
      return fmt::format("{}{:g}pp", sign, allowed);
    case Unit::kPerSecond:
      return fmt::format("{}{:g}/s", sign, allowed);
  }
  return {};
}

Rule parse_rule(std::string_view text) {
  Rule r;
  r.text = trim(text);
  const std::string& t = r.text;
  // From the right: an endpoint name may hold ':' itself.
  const auto last = t.rfind(':');
  if (last == std::string::npos || last == 0) bad(text, "no ':' between METRIC and CHANGE");
  const auto before = t.rfind(':', last - 1);
  const std::string metric = trim(
      before == std::string::npos ? t.substr(0, last) : t.substr(before + 1, last - before - 1));
  if (before != std::string::npos) {
    r.scope = trim(t.substr(0, before));
    if (r.scope.empty()) bad(text, "empty scope before ':'");
  }
  parse_metric(text, metric, &r.figure);
  parse_change(text, trim(t.substr(last + 1)), &r);
  return r;
}

}  // namespace arrload::compare
