#include "compare/compare.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "budget/verdict.h"
#include "compare/noise.h"
#include "report/format.h"

namespace arrload::compare {

namespace {

constexpr double kShownQuantiles[] = {0.5, 0.95, 0.99};

// The times FIGURE reads from E.
const Distribution& times(const Figure& f, const Endpoint& e) {
  return f.service ? e.service : e.judged();
}

// The figures shown for a row: rate, errors, judged percentiles, and the service times beside
// them when either run corrected the row's times.
std::vector<Figure> shown_figures(const Endpoint& a, const Endpoint& b) {
  std::vector<Figure> out{{Metric::kRps, 0, false}, {Metric::kErrorRate, 0, false}};
  for (double q : kShownQuantiles) out.push_back({Metric::kPercentile, q, false});
  if (a.corrected || b.corrected) {
    for (double q : kShownQuantiles) out.push_back({Metric::kPercentile, q, true});
  }
  return out;
}

bool matches(const Rule& r, const Endpoint& e, bool aggregated) {
  if (r.scope.empty()) return true;
  if (r.scope == "run" || r.scope == "Aggregated") return aggregated;
  if (aggregated) return false;
  return e.category == r.scope || e.key() == r.scope || e.name == r.scope;
}

bool matches_any(const Rule& r, const RunData& run) {
  if (matches(r, run.aggregated, true)) return true;
  return std::any_of(run.endpoints.begin(), run.endpoints.end(),
                     [&r](const Endpoint& e) { return matches(r, e, false); });
}

// Whether CHANGE is worse than RULE allows (the noise aside).
bool exceeds(const Rule& rule, const Change& c) {
  if (!c.has_data) return false;
  const double worse = rule.figure.up_is_worse() ? c.delta : -c.delta;
  if (worse <= 0) return false;
  switch (rule.unit) {
    case Unit::kPercent:
      // From 0, any worsening is an infinite relative change.
      return c.base == 0 || worse / std::abs(c.base) * 100 > rule.allowed;
    case Unit::kPoints:
      return worse * 100 > rule.allowed;
    case Unit::kMs:
    case Unit::kPerSecond:
      return worse > rule.allowed;
  }
  return false;
}

std::string signed_ms(double ms) {
  const double a = std::abs(ms);
  return fmt::format("{}{} ms", ms < 0 ? "-" : "+",
                     a < 10 ? fmt::format("{:.2f}", a) : fmt::format("{:.1f}", a));
}

}  // namespace

std::string Change::describe(double value) const {
  switch (figure.metric) {
    case Metric::kErrorRate:
      return fmt::format("{:.2f}%", value * 100);
    case Metric::kRps:
      return fmt::format("{:.2f}/s", value);
    default:
      return report::ms_cell(value * 1000) + " ms";
  }
}

std::string Change::describe_delta() const {
  if (!has_data) return "no data";
  std::string out;
  switch (figure.metric) {
    case Metric::kErrorRate:
      return fmt::format("{:+.2f}pp", delta * 100);
    case Metric::kRps:
      out = fmt::format("{:+.2f}/s", delta);
      break;
    default:
      out = signed_ms(delta);
  }
  if (relative) out += fmt::format(" ({:+.1f}%)", *relative * 100);
  return out;
}

Change measure(const Figure& f, const Endpoint& a, double d_a, const Endpoint& b, double d_b) {
  Change c;
  c.figure = f;
  double noise = 0;
  switch (f.metric) {
    case Metric::kRps:
      c.has_data = true;
      c.base = a.rps;
      c.next = b.rps;
      noise = throughput_noise(a.requests, d_a, b.requests, d_b);
      break;
    case Metric::kErrorRate:
      c.has_data = a.requests > 0 && b.requests > 0;
      c.base = a.error_rate();
      c.next = b.error_rate();
      noise = rate_noise(a.failures, a.requests, b.failures, b.requests);
      break;
    case Metric::kAverage:
    case Metric::kPercentile: {
      const Distribution& x = times(f, a);
      const Distribution& y = times(f, b);
      c.has_data = x.samples > 0 && y.samples > 0;
      if (!c.has_data) break;
      const bool avg = f.metric == Metric::kAverage;
      c.base = avg ? x.avg_ms : x.at(f.quantile);
      c.next = avg ? y.avg_ms : y.at(f.quantile);
      if (!avg) c.within_noise = !quantiles_differ(x, y, f.quantile);
      noise = avg ? mean_noise(x, y) : 0;
      break;
    }
  }
  c.delta = c.next - c.base;
  if (c.has_data && c.base != 0) c.relative = c.delta / c.base;
  if (f.metric != Metric::kPercentile) c.within_noise = std::abs(c.delta) <= noise;
  return c;
}

int Check::exit_code() const {
  return rule.figure.metric == Metric::kErrorRate ? budget::kExitErrorRate : budget::kExitBudget;
}

std::string Check::describe() const {
  if (!change.has_data) return "no data";
  std::string out = fmt::format("{}, allowed {}", change.describe_delta(), rule.describe_allowed());
  if (exceeded && change.within_noise) out += ", within noise";
  return out;
}

int Comparison::exit_code() const {
  int code = 0;
  for (const Check& c : checks) {
    if (!c.pass && (code == 0 || c.exit_code() < code)) code = c.exit_code();
  }
  return code;
}

std::string Comparison::summary() const {
  if (checks.empty()) return "no regression budget (--max-regression): not judged";
  std::size_t failed = 0, noisy = 0;
  for (const Check& c : checks) {
    failed += c.pass ? 0 : 1;
    noisy += c.exceeded && c.pass ? 1 : 0;
  }
  const std::string within =
      noisy ? fmt::format("; {} over budget but within noise", noisy) : std::string();
  if (failed == 0) return fmt::format("PASS ({} checks{})", checks.size(), within);
  return fmt::format("FAIL ({} of {} checks failed{}; exit status {})", failed, checks.size(),
                     within, exit_code());
}

Comparison compare(const RunData& base, const RunData& next, const std::vector<Rule>& rules) {
  for (const Rule& r : rules) {
    if (!matches_any(r, base) && !matches_any(r, next)) {
      throw RuleError(
          fmt::format("regression budget '{}': '{}' is no endpoint, name or category of either run",
                      r.text, r.scope));
    }
  }
  Comparison out;
  out.baseline = base.source;
  out.current = next.source;
  std::vector<std::pair<const Endpoint*, const Endpoint*>> pairs;
  for (const Endpoint& a : base.endpoints) {
    if (const Endpoint* b = next.find(a.key())) {
      pairs.emplace_back(&a, b);
    } else {
      out.vanished.push_back(a.key());
    }
  }
  for (const Endpoint& b : next.endpoints) {
    if (base.find(b.key()) == nullptr) out.added.push_back(b.key());
  }
  pairs.emplace_back(&base.aggregated, &next.aggregated);
  for (const auto& [a, b] : pairs) {
    Row row{b->key(), !b->category.empty() ? b->category : a->category, {}};
    for (const Figure& f : shown_figures(*a, *b)) {
      row.changes.push_back(measure(f, *a, base.duration_s, *b, next.duration_s));
    }
    out.rows.push_back(std::move(row));
  }
  for (const Rule& r : rules) {
    for (const auto& [a, b] : pairs) {
      const bool aggregated = a == &base.aggregated;
      if (!matches(r, *a, aggregated) && !matches(r, *b, aggregated)) continue;
      Check c{b->key(), !b->category.empty() ? b->category : a->category, r,
              measure(r.figure, *a, base.duration_s, *b, next.duration_s)};
      c.exceeded = exceeds(r, c.change);
      c.pass = !c.exceeded || c.change.within_noise;
      out.checks.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace arrload::compare
