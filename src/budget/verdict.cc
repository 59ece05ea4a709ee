#include "budget/verdict.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "stats/corrected.h"

namespace arrload::budget {

namespace {

bool is_time(Metric m) {
  return m == Metric::kPercentile || m == Metric::kAverage || m == Metric::kMax;
}

bool is_share(Metric m) {
  return m == Metric::kErrorRate || m == Metric::kLateStarts || m == Metric::kDropped;
}

std::string format_value(Metric m, double v) {
  if (is_time(m)) return v >= 100 ? fmt::format("{:.0f} ms", v) : fmt::format("{:.3g} ms", v);
  if (is_share(m)) return fmt::format("{:.3g}%", v * 100);
  return fmt::format("{:.1f}/s", v);
}

std::string margin(const Threshold& t, double actual) {
  const double diff = actual - t.limit;
  std::string amount = is_share(t.metric) ? fmt::format("{:+.3g} points", diff * 100)
                                          : (is_time(t.metric) ? fmt::format("{:+.0f} ms", diff)
                                                               : fmt::format("{:+.1f}/s", diff));
  if (t.limit > 0) amount += fmt::format(" ({:+.0f}%)", 100.0 * diff / t.limit);
  return amount;
}

// SPAN is the subject over the whole run; KEY the endpoint judged, or null for the run; WINDOWS
// judges windowed rules.
Check make_check(const std::string& subject, const std::string& category, const Rule& rule,
                 const Span& span, const stats::EndpointKey* key, const WindowJudge* windows) {
  const Threshold& t = rule.threshold;
  Check c;
  c.subject = subject;
  c.category = category;
  c.threshold = t;
  c.origin = rule.origin;
  c.corrected = t.is_time() && t.times == Times::kCorrected && stats::is_scheduled(span.entry);
  if (t.metric == Metric::kDropped) {
    c.nothing_scheduled = span.dropped + span.started == 0;
  } else if (t.metric == Metric::kLateStarts) {
    c.nothing_scheduled = !stats::is_scheduled(span.entry);
  }
  if (t.window_s > 0) {
    if (windows != nullptr) c.window = windows->result(t, key);
    c.has_data = c.window.has_value();
    if (c.has_data) {
      c.actual = c.window->worst;
      c.pass = c.window->breached == 0;
      c.margin = margin(t, c.actual);
    } else {
      // Nothing due in any window: nothing could be dropped, as over the whole run.
      c.has_data = c.pass = t.metric == Metric::kDropped && c.nothing_scheduled;
    }
    return c;
  }
  // Iterations are dropped when no request can start: a run may drop them all.
  c.has_data = span.entry.num_requests > 0 || t.metric == Metric::kDropped;
  if (!c.has_data) {
    c.pass = false;
    return c;
  }
  c.actual = measure(t, span);
  c.pass = t.holds(c.actual);
  c.margin = margin(t, c.actual);
  return c;
}

bool endpoint_matches(const Scope& s, const stats::EndpointKey& key) {
  return s.name == key.name && (s.method.empty() || s.method == key.method);
}

}  // namespace

int Check::exit_code() const {
  return threshold.metric == Metric::kErrorRate ? kExitErrorRate : kExitBudget;
}

std::string Check::describe_actual() const {
  const std::string value = format_value(threshold.metric, actual);
  if (nothing_scheduled && has_data && !window) return value + " (nothing scheduled)";
  const std::string basis = corrected ? "corrected" : "";
  if (threshold.window_s > 0) {
    if (!has_data) return fmt::format("no {} s window with requests", threshold.window_s);
    return fmt::format("{} ({}{}worst of {} windows, from {:.0f} s; {} over)", value, basis,
                       basis.empty() ? "" : "; ", window->judged, window->worst_start_s,
                       window->breached);
  }
  if (!has_data) return "no requests";
  return basis.empty() ? value : fmt::format("{} ({})", value, basis);
}

bool Verdict::pass() const { return exit_code() == 0; }

bool Verdict::interrupted() const {
  return std::any_of(criteria.begin(), criteria.end(),
                     [](const Criterion& c) { return !c.pass && c.exit_code == kExitInterrupted; });
}

std::string Verdict::summary() const {
  std::size_t failed = 0;
  for (const auto& c : checks) failed += c.pass ? 0 : 1;
  for (const auto& c : criteria) failed += c.pass ? 0 : 1;
  const std::size_t total = checks.size() + criteria.size();
  if (interrupted()) {
    // The interruption itself is not one of the budget checks.
    return fmt::format("INTERRUPTED (results are partial; {} of {} checks failed; exit status {})",
                       failed - 1, total - 1, exit_code());
  }
  if (pass()) return fmt::format("PASS ({} checks)", total);
  return fmt::format("FAIL ({} of {} checks failed; exit status {})", failed, total, exit_code());
}

Criterion interrupted_criterion(std::string detail) {
  return Criterion{"interrupted", std::move(detail), false, kExitInterrupted};
}

int Verdict::exit_code() const {
  if (interrupted()) return kExitInterrupted;
  int code = 0;
  auto consider = [&](int c) {
    if (c != 0 && (code == 0 || c < code)) code = c;
  };
  for (const Check& c : checks) {
    if (!c.pass) consider(c.exit_code());
  }
  for (const Criterion& c : criteria) {
    if (!c.pass) consider(c.exit_code);
  }
  return code;
}

Verdict judge(const stats::Snapshot& snap, const Budgets& budgets, const WindowJudge* windows) {
  Verdict v;
  const double elapsed = snap.elapsed_s;
  // Endpoints: category rules, with endpoint rules replacing them per quantity.
  std::vector<bool> endpoint_rule_used(budgets.rules.size(), false);
  std::vector<bool> category_seen(budgets.rules.size(), false);
  for (const stats::EndpointStats& row : snap.endpoints) {
    const std::string subject = fmt::format("{} {}", row.key.method, row.key.name);
    const std::string& category = row.total.category;
    std::vector<const Rule*> applied;
    for (std::size_t i = 0; i < budgets.rules.size(); ++i) {
      const Rule& r = budgets.rules[i];
      if (r.scope.kind == Scope::Kind::kEndpoint && endpoint_matches(r.scope, row.key)) {
        endpoint_rule_used[i] = true;
        applied.push_back(&r);
      }
    }
    for (std::size_t i = 0; i < budgets.rules.size(); ++i) {
      const Rule& r = budgets.rules[i];
      if (r.scope.kind != Scope::Kind::kCategory || r.scope.category != category) continue;
      category_seen[i] = true;
      const bool overridden = std::any_of(applied.begin(), applied.end(), [&](const Rule* a) {
        return a->scope.kind == Scope::Kind::kEndpoint && a->threshold.same_quantity(r.threshold);
      });
      if (!overridden) applied.push_back(&r);
    }
    const Span span{row.total, stats::corrected_latency(row.total), elapsed};
    for (const Rule* r : applied) {
      v.checks.push_back(make_check(subject, category, *r, span, &row.key, windows));
    }
  }
  // Rules whose endpoint or category recorded nothing fail visibly.
  const stats::Entry nothing;
  for (std::size_t i = 0; i < budgets.rules.size(); ++i) {
    const Rule& r = budgets.rules[i];
    if (r.scope.kind == Scope::Kind::kEndpoint && !endpoint_rule_used[i]) {
      std::string subject =
          r.scope.method.empty() ? r.scope.name : r.scope.method + " " + r.scope.name;
      const Span span{nothing, nothing.latency, elapsed};
      v.checks.push_back(make_check(subject, "", r, span, nullptr, nullptr));
    }
  }
  // One note per category that recorded nothing, listing its unused budgets.
  std::vector<std::pair<std::string, std::string>> unused;  // category, budgets
  for (std::size_t i = 0; i < budgets.rules.size(); ++i) {
    const Rule& r = budgets.rules[i];
    if (r.scope.kind != Scope::Kind::kCategory || category_seen[i]) continue;
    auto it = std::find_if(unused.begin(), unused.end(),
                           [&](const auto& u) { return u.first == r.scope.category; });
    if (it == unused.end()) {
      unused.emplace_back(r.scope.category, r.threshold.describe());
    } else {
      it->second += ", " + r.threshold.describe();
    }
  }
  for (const auto& [category, list] : unused) {
    v.notes.push_back(
        fmt::format("no requests of category '{}' in this run; not judged: {}", category, list));
  }
  const bool run_rules = std::any_of(budgets.rules.begin(), budgets.rules.end(), [](const Rule& r) {
    return r.scope.kind == Scope::Kind::kRun;
  });
  if (run_rules) {
    const stats::Histogram corrected = stats::aggregated_corrected_latency(snap);
    const Span span{snap.aggregated.total, corrected, elapsed, snap.dropped_iterations,
                    snap.scheduled_iterations};
    for (const Rule& r : budgets.rules) {
      if (r.scope.kind == Scope::Kind::kRun) {
        v.checks.push_back(make_check("run", "", r, span, nullptr, windows));
      }
    }
  }
  return v;
}

}  // namespace arrload::budget
