#pragma once
// Regression budgets: how much worse than the baseline a run may be
// (--max-regression 'p95:+10%', 'error_rate:+0.5pp', 'rps:-10%'). Grammar: docs/compare.md.
#include <stdexcept>
#include <string>
#include <string_view>

namespace arrload::compare {

// An expression that cannot be used; what() says what is wrong and what to write.
class RuleError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Metric {
  kPercentile,  // response time at a quantile (ms)
  kAverage,     // mean response time (ms)
  kErrorRate,   // failures / requests
  kRps,         // requests per second over the run
};

// How the allowed change is written.
enum class Unit {
  kPercent,    // "+10%": relative to the baseline's value
  kMs,         // "+5ms", "+0.5s": absolute, time metrics
  kPoints,     // "+0.5pp": percentage points, error_rate
  kPerSecond,  // "-20/s": absolute, rps
};

// What a figure is: a metric, and for times which quantile and which times.
struct Figure {
  Metric metric = Metric::kPercentile;
  double quantile = 0.95;  // kPercentile: in (0, 1]
  bool service = false;    // time metrics: service times even where corrected times exist
  // As written in rules and reports: "p95", "p99.9", "avg", "p95_service", "error_rate", "rps".
  std::string name() const;
  bool is_time() const { return metric == Metric::kPercentile || metric == Metric::kAverage; }
  // Whether larger values are worse (all but rps).
  bool up_is_worse() const { return metric != Metric::kRps; }
};

struct Rule {
  std::string text;  // as written
  // What it applies to: "" every endpoint and the Aggregated row, each on its own; "run" the
  // Aggregated row only; else a category, "METHOD NAME" or a NAME (any method).
  std::string scope;
  Figure figure;
  Unit unit = Unit::kPercent;
  // The change allowed in the worse direction, >= 0: percent (10 = 10%), ms, percentage points
  // or requests/s. Latency and error rate get worse upwards, rps downwards.
  double allowed = 0;

  // The allowed change as written back: "+10%", "+5 ms", "+0.5pp", "-10%", "-20/s".
  std::string describe_allowed() const;
};

// Parses "[SCOPE:]METRIC:CHANGE". Throws RuleError naming TEXT and what to write.
Rule parse_rule(std::string_view text);

}  // namespace arrload::compare
