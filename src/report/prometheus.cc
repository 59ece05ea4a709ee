#include "report/prometheus.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "stats/corrected.h"

namespace arrload::report {

namespace {

// Where the response-time buckets end, in µs, before each is moved up to the end of the
// stats::Histogram bucket it falls in. The histogram is log-linear (1024 linear buckets per power
// of two): below 1,024 µs a bucket is one microsecond, so 500 and 1,000 µs are edges as they are;
// above, a bucket is 2^(m-1) µs wide and a round decimal number is rarely its last value (5,000
// µs lies in [5,000, 5,003]). A boundary inside a bucket would have to split that bucket's count
// by interpolation; moved to the bucket's end (+0.06% here, < 0.1% always) the count up to it is
// exact, a sum of whole buckets, and every node of a cluster exports the very same `le` values,
// so sum by (le) over nodes followed by histogram_quantile is the quantile of the merged
// distribution up to the bucket boundaries. The spread follows the SLOs web APIs are usually
// held to (Prometheus's defaults, denser between 50 ms and 1 s).
constexpr std::uint64_t kNominalBoundsUs[] = {
    500,       1'000,     2'500,     5'000,     10'000,    25'000,     50'000,     75'000,
    100'000,   150'000,   200'000,   250'000,   300'000,   400'000,    500'000,    750'000,
    1'000'000, 1'500'000, 2'000'000, 2'500'000, 5'000'000, 10'000'000, 30'000'000, 60'000'000};

struct Family {
  std::string_view name;
  std::string_view type;
  std::string_view help;
};

void family(std::string& out, const Family& f) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", f.name, f.help, f.name,
                 f.type);
}

// A label value as the text format wants it: backslash, double quote and line feed escaped.
std::string escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string error_label(const std::string& message) {
  if (message.size() <= kMaxErrorLabelBytes) return message;
  std::size_t cut = kMaxErrorLabelBytes - 3;
  // Back to the start of a UTF-8 character (continuation bytes are 10xxxxxx).
  while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;
  return message.substr(0, cut) + "...";
}

// method="GET",name="/ping"
std::string endpoint_labels(const std::string& method, const std::string& name) {
  return fmt::format("method=\"{}\",name=\"{}\"", escape(method), escape(name));
}

std::string number(double v) { return fmt::format("{}", v); }

void histogram(std::string& out, std::string_view metric, const std::string& labels,
               const stats::Histogram& h) {
  const std::vector<std::uint64_t>& bounds = response_time_bounds_us();
  const std::vector<std::uint64_t> counts = cumulative_buckets(h);
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    fmt::format_to(std::back_inserter(out), "{}_bucket{{{},le=\"{}\"}} {}\n", metric, labels,
                   le_label(bounds[i]), counts[i]);
  }
  fmt::format_to(std::back_inserter(out), "{}_bucket{{{},le=\"+Inf\"}} {}\n", metric, labels,
                 h.count());
  fmt::format_to(std::back_inserter(out), "{}_sum{{{}}} {}\n", metric, labels,
                 number(static_cast<double>(h.sum()) / 1e6));
  fmt::format_to(std::back_inserter(out), "{}_count{{{}}} {}\n", metric, labels, h.count());
}

void endpoint_counters(std::string& out, const stats::Snapshot& snap) {
  struct Counter {
    Family f;
    std::uint64_t stats::Entry::*field;
  };
  const Counter counters[] = {
      {{"arrload_requests_total", "counter", "Requests completed, failures included."},
       &stats::Entry::num_requests},
      {{"arrload_request_failures_total", "counter",
        "Requests judged failed (status, transport error, check)."},
       &stats::Entry::num_failures},
      {{"arrload_response_body_bytes_total", "counter", "Response body bytes, after decoding."},
       &stats::Entry::content_bytes}};
  for (const auto& [f, field] : counters) {
    family(out, f);
    for (const stats::EndpointStats& e : snap.endpoints) {
      fmt::format_to(std::back_inserter(out), "{}{{{}}} {}\n", f.name,
                     endpoint_labels(e.key.method, e.key.name), e.total.*field);
    }
  }
}

// arrload_errors_total: per endpoint the first kMaxErrorLabels messages by first sighting, the
// rest as "other". First sighting (not frequency) decides, so a message keeps its series while
// the counts move.
void errors(std::string& out, const stats::Snapshot& snap) {
  family(out, {"arrload_errors_total", "counter",
               "Failures by endpoint and error message (the first 10 messages of an endpoint, "
               "then \"other\")."});
  std::map<std::pair<std::string, std::string>,
           std::vector<std::pair<const stats::ErrorKey*, const stats::ErrorCount*>>>
      by_endpoint;
  for (const auto& [key, count] : snap.errors) {
    by_endpoint[{key.method, key.name}].push_back({&key, &count});
  }
  for (auto& [endpoint, list] : by_endpoint) {
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
      return std::tie(a.second->first_seen, a.first->message) <
             std::tie(b.second->first_seen, b.first->message);
    });
    std::map<std::string, std::uint64_t> counts;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string label = i < kMaxErrorLabels ? error_label(list[i].first->message) : "other";
      counts[label] += list[i].second->occurrences;
    }
    const std::string labels = endpoint_labels(endpoint.first, endpoint.second);
    for (const auto& [label, n] : counts) {
      fmt::format_to(std::back_inserter(out), "arrload_errors_total{{{},error=\"{}\"}} {}\n",
                     labels, escape(label), n);
    }
  }
}

void latencies(std::string& out, const stats::Snapshot& snap) {
  family(out, {"arrload_response_time_seconds", "histogram",
               "Response times (from before the connect or the write to the last body byte)."});
  for (const stats::EndpointStats& e : snap.endpoints) {
    histogram(out, "arrload_response_time_seconds", endpoint_labels(e.key.method, e.key.name),
              e.total.latency);
  }
  family(out, {"arrload_corrected_response_time_seconds", "histogram",
               "Response times from each scheduled request's intended start (corrected for "
               "coordinated omission); scheduled endpoints only."});
  for (const stats::EndpointStats& e : snap.endpoints) {
    if (!stats::is_scheduled(e.total)) continue;
    histogram(out, "arrload_corrected_response_time_seconds",
              endpoint_labels(e.key.method, e.key.name), e.total.intended);
  }
  // A family's samples follow its TYPE line together: a second pass for the late starts.
  family(out, {"arrload_late_starts_total", "counter",
               "Scheduled requests that started more than 1 ms after their intended start."});
  for (const stats::EndpointStats& e : snap.endpoints) {
    if (!stats::is_scheduled(e.total)) continue;
    fmt::format_to(std::back_inserter(out), "arrload_late_starts_total{{{}}} {}\n",
                   endpoint_labels(e.key.method, e.key.name), e.total.late_starts);
  }
}

void run_totals(std::string& out, const stats::Snapshot& snap) {
  family(out, {"arrload_users", "gauge", "Users running, per user class."});
  for (const auto& [name, n] : snap.users_per_class) {
    fmt::format_to(std::back_inserter(out), "arrload_users{{user_class=\"{}\"}} {}\n", escape(name),
                   n);
  }
  struct Total {
    Family f;
    std::uint64_t value;
  };
  const Total totals[] = {
      {{"arrload_dropped_iterations_total", "counter",
        "Open-model iterations due but not started (no free user)."},
       snap.dropped_iterations},
      {{"arrload_scheduled_iterations_total", "counter", "Open-model iterations started."},
       snap.scheduled_iterations}};
  for (const auto& [f, value] : totals) {
    family(out, f);
    fmt::format_to(std::back_inserter(out), "{} {}\n", f.name, value);
  }
  std::uint64_t exceptions = 0;
  for (const auto& [message, n] : snap.exceptions) exceptions += n;
  family(out, {"arrload_exceptions_total", "counter",
               "Errors in the scenario's own logic (Locust's exceptions), not request failures."});
  fmt::format_to(std::back_inserter(out), "arrload_exceptions_total {}\n", exceptions);
  family(out, {"arrload_stats_start_time_seconds", "gauge",
               "Unix time the statistics started (the run's start or the last reset)."});
  fmt::format_to(std::back_inserter(out), "arrload_stats_start_time_seconds {}\n",
                 number(snap.start_unix));
}

// Readings rounded to the microsecond (getrusage's resolution), so 0.067506 does not print as
// 0.06750600000000001; byte counts are whole numbers and stay as they are.
template <typename T>
void gauge(std::string& out, const Family& f, const std::optional<T>& value) {
  if (!value) return;
  family(out, f);
  const double v = std::round(static_cast<double>(*value) * 1e6) / 1e6;
  fmt::format_to(std::back_inserter(out), "{} {}\n", f.name, number(v));
}

void process_lines(std::string& out, const MetricsInfo& info) {
  if (!info.state.empty()) {
    family(out, {"arrload_run_state", "gauge", "1 for the run's current state, 0 for the others."});
    for (std::string_view s : kRunStates) {
      fmt::format_to(std::back_inserter(out), "arrload_run_state{{state=\"{}\"}} {}\n", s,
                     s == info.state ? 1 : 0);
    }
  }
  gauge(out, {"process_cpu_seconds_total", "counter", "CPU time of arrload (user + system)."},
        info.process_cpu_seconds);
  gauge(out, {"process_resident_memory_bytes", "gauge", "Resident memory of arrload."},
        info.process_resident_bytes);
  gauge(out,
        {"arrload_generator_cpu_cores", "gauge",
         "The self-check's CPU use of arrload over the last second, in cores (1 = one core)."},
        info.generator_cpu_cores);
  gauge(out, {"arrload_generator_available_cores", "gauge", "Cores arrload may run on."},
        info.generator_cores);
  gauge(out, {"arrload_generator_tick_lag_seconds", "gauge", "How late the 1 s tick last fired."},
        info.generator_tick_lag_seconds);
  std::optional<int> saturated;
  if (info.generator_saturated) saturated = *info.generator_saturated ? 1 : 0;
  gauge(out,
        {"arrload_generator_saturated", "gauge",
         "1 while the self-check finds the generator saturated (its latencies include its own "
         "delays)."},
        saturated);
  gauge(out,
        {"arrload_target_resident_memory_bytes", "gauge",
         "The target's resident memory, newest sample (--target-pid, --target-metrics)."},
        info.target_resident_bytes);
}

}  // namespace

const std::vector<std::uint64_t>& response_time_bounds_us() {
  static const std::vector<std::uint64_t> bounds = [] {
    std::vector<std::uint64_t> out;
    out.reserve(std::size(kNominalBoundsUs));
    for (std::uint64_t v : kNominalBoundsUs) {
      out.push_back(stats::Histogram::bucket_highest(stats::Histogram::bucket_index(v)));
    }
    return out;
  }();
  return bounds;
}

std::string le_label(std::uint64_t bound_us) {
  std::string out = fmt::format("{}.{:06}", bound_us / 1'000'000, bound_us % 1'000'000);
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

std::vector<std::uint64_t> cumulative_buckets(const stats::Histogram& h) {
  // The histogram bucket each boundary closes.
  static const std::vector<std::uint32_t> last_bucket = [] {
    std::vector<std::uint32_t> out;
    out.reserve(response_time_bounds_us().size());
    for (std::uint64_t b : response_time_bounds_us()) {
      out.push_back(stats::Histogram::bucket_index(b));
    }
    return out;
  }();
  std::vector<std::uint64_t> counts(last_bucket.size(), 0);
  h.for_each_bucket([&](std::uint32_t index, std::uint64_t n) {
    // The first boundary whose bucket is this one or a later one; past the last: only +Inf.
    auto it = std::lower_bound(last_bucket.begin(), last_bucket.end(), index);
    if (it != last_bucket.end()) counts[static_cast<std::size_t>(it - last_bucket.begin())] += n;
  });
  for (std::size_t i = 1; i < counts.size(); ++i) counts[i] += counts[i - 1];
  return counts;
}

std::string prometheus_text(const stats::Snapshot* snap, const MetricsInfo& info) {
  std::string out;
  if (snap != nullptr) {
    out.reserve(4096 + snap->endpoints.size() * 4096);
    endpoint_counters(out, *snap);
    errors(out, *snap);
    latencies(out, *snap);
    run_totals(out, *snap);
  }
  process_lines(out, info);
  return out;
}

stats::Snapshot metrics_view(const stats::Snapshot& snap) {
  stats::Snapshot out;
  out.start_unix = snap.start_unix;
  out.taken_unix = snap.taken_unix;
  out.elapsed_s = snap.elapsed_s;
  out.endpoints.reserve(snap.endpoints.size());
  for (const stats::EndpointStats& e : snap.endpoints) {
    stats::EndpointStats row;
    row.key = e.key;
    row.total = e.total;
    out.endpoints.push_back(std::move(row));
  }
  out.errors = snap.errors;
  out.user_count = snap.user_count;
  out.peak_user_count = snap.peak_user_count;
  out.users_per_class = snap.users_per_class;
  out.exceptions = snap.exceptions;
  out.dropped_iterations = snap.dropped_iterations;
  out.scheduled_iterations = snap.scheduled_iterations;
  return out;
}

}  // namespace arrload::report
