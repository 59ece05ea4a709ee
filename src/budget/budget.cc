#include "budget/budget.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/duration.h"

namespace arrload::budget {

namespace {

constexpr std::string_view kSyntax =
    "write METRIC OP LIMIT [every WINDOW], e.g. p95<500ms, p99<=1s, avg<200ms, max<5s, "
    "error_rate<1%, rps>=100, late<5%, dropped<1%, p95_service<300ms, p95<500ms every 30s";

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<double> number(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

constexpr std::string_view kDroppedScope =
    "dropped iterations are counted for the whole run only: write it without a scope";

[[noreturn]] void fail(std::string_view text, std::string_view why) {
  throw BudgetError(fmt::format("bad budget '{}': {} ({})", text, why, kSyntax));
}

bool time_metric(Metric m) {
  return m == Metric::kPercentile || m == Metric::kAverage || m == Metric::kMax;
}

bool is_share(Metric m) {
  return m == Metric::kErrorRate || m == Metric::kLateStarts || m == Metric::kDropped;
}

constexpr std::string_view kServiceSuffix = "_service";

std::string format_number(double v) { return fmt::format("{:g}", v); }

std::string format_window(int seconds) {
  if (seconds % 3600 == 0) return fmt::format("{} h", seconds / 3600);
  if (seconds % 60 == 0) return fmt::format("{} min", seconds / 60);
  return fmt::format("{} s", seconds);
}

// Splits a trailing "every DURATION" off S into WINDOW_S.
std::string_view take_window(std::string_view text, std::string_view s, int& window_s) {
  constexpr std::string_view kEvery = "every";
  const std::size_t at = s.rfind(kEvery);
  if (at == std::string_view::npos || at == 0 ||
      !std::isspace(static_cast<unsigned char>(s[at - 1]))) {
    return s;
  }
  std::string_view duration = trim(s.substr(at + kEvery.size()));
  if (duration.empty()) fail(text, "'every' needs a window length, e.g. every 30s");
  auto d = core::parse_duration(duration);
  if (!d || d->count() <= 0 || d->count() % 1'000'000 != 0) {
    fail(text,
         fmt::format("'{}' is not a window of whole seconds (e.g. every 30s, every 1m)", duration));
  }
  window_s = static_cast<int>(d->count() / 1'000'000);
  return trim(s.substr(0, at));
}

}  // namespace

bool Threshold::holds(double actual) const {
  switch (op) {
    case Op::kLess:
      return actual < limit;
    case Op::kLessEqual:
      return actual <= limit;
    case Op::kGreater:
      return actual > limit;
    case Op::kGreaterEqual:
      return actual >= limit;
  }
  return false;
}

bool Threshold::is_time() const { return time_metric(metric); }

std::string Threshold::metric_name() const {
  const std::string times_suffix(times == Times::kService ? kServiceSuffix : "");
  switch (metric) {
    case Metric::kPercentile:
      return "p" + format_number(percentile) + times_suffix;
    case Metric::kAverage:
      return "avg" + times_suffix;
    case Metric::kMax:
      return "max" + times_suffix;
    case Metric::kErrorRate:
      return "error_rate";
    case Metric::kRps:
      return "rps";
    case Metric::kLateStarts:
      return "late";
    case Metric::kDropped:
      return "dropped";
  }
  return "?";
}

std::string Threshold::describe() const {
  static const char* kOps[] = {"<", "<=", ">", ">="};
  std::string value;
  if (time_metric(metric)) {
    value = limit >= 1000 && std::fmod(limit, 1000) == 0 ? format_number(limit / 1000) + " s"
                                                         : format_number(limit) + " ms";
  } else if (is_share(metric)) {
    value = format_number(limit * 100) + "%";
  } else {
    value = format_number(limit) + "/s";
  }
  std::string text = fmt::format("{} {} {}", metric_name(), kOps[static_cast<int>(op)], value);
  if (window_s > 0) text += fmt::format(" in every {} window", format_window(window_s));
  return text;
}

bool Threshold::same_measure(const Threshold& o) const {
  return metric == o.metric && (metric != Metric::kPercentile || percentile == o.percentile) &&
         (!time_metric(metric) || times == o.times);
}

bool Threshold::same_quantity(const Threshold& o) const {
  return same_measure(o) && window_s == o.window_s;
}

void Budgets::add(Rule rule) {
  for (Rule& r : rules) {
    const bool same_scope = r.scope.kind == rule.scope.kind &&
                            r.scope.category == rule.scope.category &&
                            r.scope.method == rule.scope.method && r.scope.name == rule.scope.name;
    if (same_scope && r.threshold.same_quantity(rule.threshold)) {
      r = std::move(rule);
      return;
    }
  }
  rules.push_back(std::move(rule));
}

Threshold parse_threshold(std::string_view text) {
  int window_s = 0;
  std::string_view s = take_window(text, trim(text), window_s);
  const std::size_t op_at = s.find_first_of("<>");
  if (op_at == std::string_view::npos) fail(text, "no comparison (<, <=, > or >=)");
  Threshold t;
  std::string_view metric = trim(s.substr(0, op_at));
  // "p95_service": a time metric on service times (checked below to be one).
  const bool service = metric.size() > kServiceSuffix.size() &&
                       metric.substr(metric.size() - kServiceSuffix.size()) == kServiceSuffix;
  if (service) metric.remove_suffix(kServiceSuffix.size());
  std::string_view rest = s.substr(op_at);
  std::size_t op_len = rest.size() > 1 && rest[1] == '=' ? 2 : 1;
  if (rest[0] == '<') t.op = op_len == 2 ? Op::kLessEqual : Op::kLess;
  if (rest[0] == '>') t.op = op_len == 2 ? Op::kGreaterEqual : Op::kGreater;
  std::string_view value = trim(rest.substr(op_len));

  if (metric == "avg" || metric == "mean") {
    t.metric = Metric::kAverage;
  } else if (metric == "max") {
    t.metric = Metric::kMax;
  } else if (metric == "median") {
    t.metric = Metric::kPercentile;
    t.percentile = 50;
  } else if (metric == "error_rate") {
    t.metric = Metric::kErrorRate;
  } else if (metric == "rps") {
    t.metric = Metric::kRps;
  } else if (metric == "late" || metric == "late_starts") {
    t.metric = Metric::kLateStarts;
  } else if (metric == "dropped" || metric == "dropped_iterations") {
    t.metric = Metric::kDropped;
  } else if (metric.size() > 1 && metric[0] == 'p') {
    std::string_view p = metric.substr(1);
    if (p.size() > 2 && p.front() == '(' && p.back() == ')') p = p.substr(1, p.size() - 2);  // k6
    auto v = number(p);
    if (!v || *v <= 0 || *v > 100)
      fail(text, fmt::format("'{}' is not a percentile p1..p100", metric));
    t.metric = Metric::kPercentile;
    t.percentile = *v;
  } else {
    fail(text,
         fmt::format("unknown metric '{}' (p50..p100, median, avg, max, error_rate, rps, late, "
                     "dropped)",
                     metric));
  }
  if (service) {
    if (!time_metric(t.metric)) {
      fail(text, fmt::format("'{}' is not a response time: only p.., median, avg and max take "
                             "_service",
                             trim(s.substr(0, op_at))));
    }
    t.times = Times::kService;
  }

  auto strip = [&](std::string_view suffix) {
    if (value.size() >= suffix.size() && value.substr(value.size() - suffix.size()) == suffix) {
      value = trim(value.substr(0, value.size() - suffix.size()));
      return true;
    }
    return false;
  };
  double scale = 1;
  if (time_metric(t.metric)) {
    if (strip("ms")) {
      scale = 1;
    } else if (strip("us") || strip("µs")) {
      scale = 0.001;
    } else if (strip("s")) {
      scale = 1000;
    }
  } else if (is_share(t.metric)) {
    scale = strip("%") ? 0.01 : 1;
  } else {
    strip("/s");
  }
  auto v = number(value);
  if (!v || *v < 0) fail(text, fmt::format("'{}' is not a non-negative number", value));
  t.limit = *v * scale;
  if (is_share(t.metric) && t.limit > 1) {
    fail(text, fmt::format("{} is a share, at most 100% (write 1% or 0.01)", t.metric_name()));
  }
  t.window_s = window_s;
  return t;
}

Rule parse_rule(std::string_view text, std::string origin) {
  std::string_view s = trim(text);
  // The threshold has no ':' of its own, so the scope is everything before the last one.
  const std::size_t colon = s.rfind(':');
  Rule rule;
  rule.origin = std::move(origin);
  if (colon == std::string_view::npos) {
    rule.threshold = parse_threshold(s);
    return rule;
  }
  std::string_view scope = trim(s.substr(0, colon));
  rule.threshold = parse_threshold(s.substr(colon + 1));
  if (scope.empty()) fail(text, "empty scope before ':'");
  if (rule.threshold.metric == Metric::kDropped) fail(text, kDroppedScope);
  const std::size_t space = scope.find(' ');
  if (space != std::string_view::npos) {
    rule.scope.kind = Scope::Kind::kEndpoint;
    rule.scope.method = std::string(scope.substr(0, space));
    rule.scope.name = std::string(trim(scope.substr(space + 1)));
  } else if (scope.front() == '/') {
    rule.scope.kind = Scope::Kind::kEndpoint;
    rule.scope.name = std::string(scope);
  } else {
    rule.scope.kind = Scope::Kind::kCategory;
    rule.scope.category = std::string(scope);
  }
  return rule;
}

namespace {

std::string where(const std::string& file, const YAML::Node& node) {
  return fmt::format("{}:{}", file, node.Mark().line + 1);
}

// KEY's text; a key that is a list, a mapping or null is refused (yaml-cpp would throw its own
// bad-conversion error, which names neither the file nor the field).
std::string key_text(const YAML::Node& key, const std::string& file, std::string_view field) {
  if (!key.IsScalar()) {
    throw BudgetError(fmt::format("{}: {}: a key must be a name, not a list, mapping or null",
                                  where(file, key), field));
  }
  return key.Scalar();
}

void add_list(Budgets& out, const YAML::Node& list, const std::string& file, const Scope& scope,
              const std::string& field) {
  std::vector<YAML::Node> items;
  if (list.IsSequence()) {
    for (const auto& item : list) items.push_back(item);
  } else if (list.IsScalar()) {
    items.push_back(list);
  } else {
    throw BudgetError(fmt::format("{}: {}: expected a list of budgets like [p95<500ms, p99<1s]",
                                  where(file, list), field));
  }
  for (const YAML::Node& item : items) {
    if (!item.IsScalar()) {
      throw BudgetError(
          fmt::format("{}: {}: expected a budget like p95<500ms", where(file, item), field));
    }
    Rule rule;
    try {
      rule.threshold = parse_threshold(item.Scalar());
    } catch (const BudgetError& e) {
      throw BudgetError(fmt::format("{}: {}: {}", where(file, item), field, e.what()));
    }
    if (rule.threshold.metric == Metric::kDropped && scope.kind != Scope::Kind::kRun) {
      throw BudgetError(fmt::format("{}: {}: bad budget '{}': {} (under run:)", where(file, item),
                                    field, item.Scalar(), kDroppedScope));
    }
    rule.scope = scope;
    rule.origin = where(file, item);
    out.add(std::move(rule));
  }
}

}  // namespace

Budgets load_budgets_text(const std::string& yaml, const std::string& file_name) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    throw BudgetError(
        fmt::format("{}:{}: YAML syntax error: {}", file_name, e.mark.line + 1, e.msg));
  }
  if (!root.IsMap()) {
    throw BudgetError(
        fmt::format("{}: expected a mapping with categories:, endpoints: and run:", file_name));
  }
  Budgets out;
  for (const auto& kv : root) {
    const std::string key = key_text(kv.first, file_name, "top level");
    const YAML::Node& value = kv.second;
    if (key == "run") {
      add_list(out, value, file_name, Scope{}, "run");
    } else if (key == "categories" || key == "endpoints") {
      if (!value.IsMap()) {
        throw BudgetError(fmt::format("{}: {}: expected a mapping of names to budget lists",
                                      where(file_name, value), key));
      }
      for (const auto& entry : value) {
        const std::string name = key_text(entry.first, file_name, key);
        Scope scope;
        if (key == "categories") {
          scope.kind = Scope::Kind::kCategory;
          scope.category = name;
        } else {
          Rule probe = parse_rule(name + ":max<1", "");
          scope = probe.scope;
          if (scope.kind != Scope::Kind::kEndpoint) {
            throw BudgetError(fmt::format(
                "{}: endpoints.{}: an endpoint is 'METHOD NAME' or a name starting with '/'",
                where(file_name, entry.first), name));
          }
        }
        add_list(out, entry.second, file_name, scope, key + "." + name);
      }
    } else {
      throw BudgetError(fmt::format("{}: unknown key '{}' (allowed: categories, endpoints, run)",
                                    where(file_name, kv.first), key));
    }
  }
  return out;
}

Budgets load_budgets_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw BudgetError(fmt::format("{}: cannot open the budgets file", path));
  std::ostringstream text;
  text << in.rdbuf();
  return load_budgets_text(text.str(), path);
}

}  // namespace arrload::budget
