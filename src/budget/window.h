#pragma once
// Budgets judged per time window ("p95<500ms every 30s"): the run is cut into consecutive
// windows of the rule's length from the start of the statistics, each window's statistics are
// measured when it closes, and the worst window decides. Only the measured numbers are kept,
// not the windows' histograms, so a long run costs a few numbers per window and endpoint.
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "budget/budget.h"
#include "stats/snapshot.h"

namespace arrload::budget {

// The windows of one rule for one subject (an endpoint, or the run).
struct WindowResult {
  int judged = 0;             // windows that had requests (for rps: every window)
  int breached = 0;           // windows that broke the threshold
  double worst = 0;           // the value of the worst window
  double worst_start_s = 0;   // when the worst window started, seconds from the start
  double worst_length_s = 0;  // its length (the last window may be shorter)
};

// What a threshold is measured over: one subject (an endpoint, or the whole run) over one span
// (the run, or a window).
struct Span {
  const stats::Entry& entry;          // the subject's statistics over the span
  const stats::Histogram& corrected;  // its corrected response times (stats/corrected.h)
  double elapsed_s = 0;               // the span's length, seconds (rates divide by it)
  // Open-model iterations over the span (the whole run only; 0 for an endpoint): dropped, and
  // started on schedule.
  std::uint64_t dropped = 0;
  std::uint64_t started = 0;
};

// The value of threshold T over SPAN, in T's unit: a time metric from SPAN.corrected, or from
// the entry's service times for a _service metric; kLateStarts 0 for a span with nothing
// scheduled, kDropped 0 for one with nothing due.
double measure(const Threshold& t, const Span& span);

class WindowJudge {
 public:
  // Keeps the window lengths and measures of BUDGETS' windowed rules; none = inactive.
  explicit WindowJudge(const Budgets& budgets);

  bool active() const { return !lengths_.empty(); }

  // Adds the second that just closed (each row's last_second), ending at SNAP.elapsed_s. Call
  // once a second after the stats tick. A smaller elapsed time than before means the statistics
  // were reset: every window is forgotten and counting starts again.
  void add_second(const stats::Snapshot& snap);
  // Adds the final partial second (from the final snapshot) and closes the last, partial
  // windows: one that lasted at least half its length is judged, a shorter one is dropped.
  void finish(const stats::Snapshot& final_snap);

  // The closed windows of T's length for the endpoint KEY, or for the whole run when KEY is
  // null. Nothing when no window had data.
  std::optional<WindowResult> result(const Threshold& t, const stats::EndpointKey* key) const;

 private:
  struct Measures {
    std::vector<double> values;  // one per measure of this window length
    std::uint64_t requests = 0;
    std::uint64_t due = 0;  // open-model iterations due (started + dropped); the run only
  };
  struct Closed {
    double start_s = 0;
    double length_s = 0;
    std::map<stats::EndpointKey, Measures> endpoints;
    Measures run;
  };
  struct Length {
    int seconds = 0;
    std::vector<Threshold> measures;  // distinct (metric, percentile) judged at this length
    double start_s = 0;               // the open window's start
    std::map<stats::EndpointKey, stats::Entry> open;
    stats::Entry open_run;
    std::uint64_t open_dropped = 0;  // open-model iterations dropped in the open window
    std::uint64_t open_started = 0;  // ... and started
    std::vector<Closed> closed;
  };

  void add(const stats::Snapshot& snap);
  static void close(Length& len, double end_s);

  std::vector<Length> lengths_;
  double last_elapsed_ = 0;
  // The snapshots' run totals at the last second added, to count each second's iterations.
  std::uint64_t last_dropped_ = 0;
  std::uint64_t last_started_ = 0;
};

}  // namespace arrload::budget
