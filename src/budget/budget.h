#pragma once
// Performance budgets: thresholds on the final statistics, per budget category, per endpoint or
// for the whole run (docs/budgets.md). Written as expressions, on the command line
// (--budget 'read:p95<300ms') or in a budgets file (budgets.yaml beside the suite).
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace arrload::budget {

// A budget expression or file that cannot be used; what() says what is wrong and what to write.
class BudgetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Metric {
  kPercentile,  // response time at a percentile (ms)
  kAverage,     // average response time (ms)
  kMax,         // slowest response (ms)
  kErrorRate,   // failures / requests (a fraction)
  kRps,         // requests per second over the run
  kLateStarts,  // scheduled samples that started late / scheduled samples (a fraction)
  kDropped,     // open-model iterations dropped / due (a fraction); the whole run only
};

// Which response times a time metric (kPercentile, kAverage, kMax) judges.
enum class Times {
  // From each request's intended start where it had one (corrected for coordinated omission,
  // stats/corrected.h); the service times where nothing was scheduled. The default.
  kCorrected,
  kService,  // from the moment each request was sent ("p95_service")
};

enum class Op { kLess, kLessEqual, kGreater, kGreaterEqual };

// "p95<500ms": METRIC OP LIMIT.
struct Threshold {
  Metric metric = Metric::kPercentile;
  double percentile = 0;            // kPercentile only: 0 < p <= 100
  Times times = Times::kCorrected;  // time metrics only
  Op op = Op::kLess;
  // ms for time metrics, requests/s for kRps, a fraction for the others
  double limit = 0;
  // 0: judged over the whole run. Else judged in every WINDOW_S-second window of the run
  // ("p95<500ms every 30s"), and the worst window decides.
  int window_s = 0;

  bool holds(double actual) const;
  // Whether the metric is a response time (kPercentile, kAverage, kMax).
  bool is_time() const;
  // The metric's name as written in expressions: "p95", "p99.9", "avg", "max", "error_rate",
  // "rps", "late", "dropped"; a time metric on service times ends in "_service" ("p95_service").
  std::string metric_name() const;
  // "p95 < 500 ms", "error_rate < 1%", "rps >= 100", "p95 < 500 ms in every 30 s window".
  std::string describe() const;
  // Whether two thresholds constrain the same quantity (same metric, percentile, times and
  // window).
  bool same_quantity(const Threshold& o) const;
  // Same metric, percentile and times, whatever the window: a measure of the same thing.
  bool same_measure(const Threshold& o) const;
};

// What a rule applies to.
struct Scope {
  enum class Kind { kRun, kCategory, kEndpoint };
  Kind kind = Kind::kRun;
  std::string category;  // kCategory
  std::string method;    // kEndpoint; empty = any method
  std::string name;      // kEndpoint: the stats row name
};

struct Rule {
  Scope scope;
  Threshold threshold;
  std::string origin;  // where it was written: "budgets.yaml:4", "--budget"
};

struct Budgets {
  std::vector<Rule> rules;
  bool empty() const { return rules.empty(); }
  // Adds RULE; a rule for the same scope and quantity already present is replaced (so
  // --budget overrides the file).
  void add(Rule rule);
};

// Parses "p95<500ms", "p99 <= 1s", "avg<200", "error_rate<1%", "rps>=100", "late<5%",
// "dropped<1%", "p95_service<300ms". A bare time is ms. A trailing "every DURATION" (whole
// seconds, e.g. "p95<500ms every 30s") makes it per window.
Threshold parse_threshold(std::string_view text);

// Parses "[SCOPE:]THRESHOLD": no scope = the whole run; a scope with a space is an endpoint
// ("GET /api/v1/shows/"); one starting with '/' is an endpoint of any method; else a category.
// "dropped" takes no scope (iterations are counted for the whole run only).
Rule parse_rule(std::string_view text, std::string origin);

// Loads a budgets file:
//   categories: {read: [p95<500ms, p99<1s], ...}
//   endpoints: {"GET /api/v1/shows/": [p99<800ms]}
//   run: [error_rate<1%]
// Throws BudgetError naming FILE:LINE for any problem.
Budgets load_budgets_file(const std::string& path);
Budgets load_budgets_text(const std::string& yaml, const std::string& file_name);

}  // namespace arrload::budget
