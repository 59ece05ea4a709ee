#include "budget/window.h"

#include <algorithm>

#include "stats/corrected.h"

namespace arrload::budget {

double measure(const Threshold& t, const Span& span) {
  const double ms = 1e-3;
  const stats::Entry& e = span.entry;
  const stats::Histogram& times = t.times == Times::kService ? e.latency : span.corrected;
  switch (t.metric) {
    case Metric::kPercentile:
      return static_cast<double>(times.percentile(t.percentile / 100.0)) * ms;
    case Metric::kAverage:
      // The corrected times may hold more samples than requests (missed starts): their mean.
      return times.mean() * ms;
    case Metric::kMax:
      return static_cast<double>(times.max()) * ms;
    case Metric::kErrorRate:
      return e.num_requests == 0
                 ? 0
                 : static_cast<double>(e.num_failures) / static_cast<double>(e.num_requests);
    case Metric::kRps:
      return span.elapsed_s > 0 ? static_cast<double>(e.num_requests) / span.elapsed_s : 0;
    case Metric::kLateStarts:
      return stats::late_start_share(e);
    case Metric::kDropped:
      return stats::dropped_share(span.dropped, span.started).value_or(0);
  }
  return 0;
}

namespace {

// How far a tick may run late and still close the window it ends.
constexpr double kTickSlack_s = 0.5;

bool lower_is_better(Op op) { return op == Op::kLess || op == Op::kLessEqual; }

}  // namespace

WindowJudge::WindowJudge(const Budgets& budgets) {
  for (const Rule& r : budgets.rules) {
    const Threshold& t = r.threshold;
    if (t.window_s <= 0) continue;
    auto len = std::find_if(lengths_.begin(), lengths_.end(),
                            [&](const Length& l) { return l.seconds == t.window_s; });
    if (len == lengths_.end()) {
      lengths_.emplace_back();
      len = std::prev(lengths_.end());
      len->seconds = t.window_s;
    }
    const bool known = std::any_of(len->measures.begin(), len->measures.end(),
                                   [&](const Threshold& m) { return m.same_measure(t); });
    if (!known) len->measures.push_back(t);
  }
}

void WindowJudge::add(const stats::Snapshot& snap) {
  if (snap.elapsed_s + kTickSlack_s < last_elapsed_) {  // the statistics were reset
    for (Length& len : lengths_) {
      len.start_s = 0;
      len.open.clear();
      len.open_run = stats::Entry{};
      len.open_dropped = len.open_started = 0;
      len.closed.clear();
    }
    last_dropped_ = last_started_ = 0;
  }
  last_elapsed_ = snap.elapsed_s;
  // The snapshot counts iterations since the start: this second's are what it adds.
  const auto since_last = [](std::uint64_t total, std::uint64_t& last) {
    const std::uint64_t added = total >= last ? total - last : total;
    last = total;
    return added;
  };
  const std::uint64_t dropped = since_last(snap.dropped_iterations, last_dropped_);
  const std::uint64_t started = since_last(snap.scheduled_iterations, last_started_);
  for (Length& len : lengths_) {
    for (const stats::EndpointStats& row : snap.endpoints) len.open[row.key].merge(row.last_second);
    len.open_run.merge(snap.aggregated.last_second);
    len.open_dropped += dropped;
    len.open_started += started;
  }
}

void WindowJudge::add_second(const stats::Snapshot& snap) {
  if (!active()) return;
  add(snap);
  for (Length& len : lengths_) {
    if (snap.elapsed_s + kTickSlack_s >= len.start_s + len.seconds) close(len, snap.elapsed_s);
  }
}

void WindowJudge::finish(const stats::Snapshot& final_snap) {
  if (!active()) return;
  add(final_snap);
  for (Length& len : lengths_) {
    const double length_s = final_snap.elapsed_s - len.start_s;
    // An empty last, partial window is left out: the run can stop before the statistics close
    // its seconds (a late tick shifts the window against the seconds), so "no request" there
    // says nothing about the target. Full windows count an empty one as a rate of 0.
    if (length_s >= len.seconds / 2.0 &&
        (len.open_run.num_requests > 0 || len.open_dropped + len.open_started > 0)) {
      close(len, final_snap.elapsed_s);
    } else {
      len.open.clear();
      len.open_run = stats::Entry{};
      len.open_dropped = len.open_started = 0;
    }
  }
}

void WindowJudge::close(Length& len, double end_s) {
  Closed c;
  c.start_s = len.start_s;
  c.length_s = std::max(end_s - len.start_s, 1e-3);
  auto measures = [&](const Span& span) {
    Measures m;
    m.requests = span.entry.num_requests;
    m.due = span.dropped + span.started;
    for (const Threshold& t : len.measures) m.values.push_back(measure(t, span));
    return m;
  };
  // The run's corrected times: every endpoint's, as over the whole run (stats/corrected.h).
  const bool run_corrected_needed =
      std::any_of(len.measures.begin(), len.measures.end(),
                  [](const Threshold& t) { return t.is_time() && t.times == Times::kCorrected; });
  stats::Histogram run_corrected;
  for (const auto& [key, entry] : len.open) {
    c.endpoints.emplace(key, measures({entry, stats::corrected_latency(entry), c.length_s}));
    if (run_corrected_needed) run_corrected.merge(stats::corrected_latency(entry));
  }
  c.run = measures({len.open_run, run_corrected, c.length_s, len.open_dropped, len.open_started});
  len.closed.push_back(std::move(c));
  len.open.clear();
  len.open_run = stats::Entry{};
  len.open_dropped = len.open_started = 0;
  len.start_s = end_s;
}

std::optional<WindowResult> WindowJudge::result(const Threshold& t,
                                                const stats::EndpointKey* key) const {
  auto len = std::find_if(lengths_.begin(), lengths_.end(),
                          [&](const Length& l) { return l.seconds == t.window_s; });
  if (len == lengths_.end()) return std::nullopt;
  const auto index =
      static_cast<std::size_t>(std::find_if(len->measures.begin(), len->measures.end(),
                                            [&](const Threshold& m) { return m.same_measure(t); }) -
                               len->measures.begin());
  if (index == len->measures.size()) return std::nullopt;

  WindowResult r;
  for (const Closed& c : len->closed) {
    const Measures* m = &c.run;
    if (key != nullptr) {
      auto it = c.endpoints.find(*key);
      m = it == c.endpoints.end() ? nullptr : &it->second;
    }
    double value = 0;
    const bool has_data =
        m != nullptr && (t.metric == Metric::kDropped ? m->due > 0 : m->requests > 0);
    if (has_data) {
      value = m->values[index];
    } else if (t.metric != Metric::kRps) {
      // No requests: no latency or error rate to judge (nothing due: no dropped share); a rate
      // of 0 is judged.
      continue;
    }
    const bool worse = r.judged == 0 || (lower_is_better(t.op) ? value > r.worst : value < r.worst);
    ++r.judged;
    if (!t.holds(value)) ++r.breached;
    if (worse) {
      r.worst = value;
      r.worst_start_s = c.start_s;
      r.worst_length_s = c.length_s;
    }
  }
  if (r.judged == 0) return std::nullopt;
  return r;
}

}  // namespace arrload::budget
