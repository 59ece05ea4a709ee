#include "cluster/locust_stats.h"

#include <cmath>
#include <tuple>
#include <utility>

#include "cluster/histogram_buckets.h"

namespace arrload::cluster {

namespace {

// X / D rounded to the nearest integer, ties to even (Python's round()).
std::uint64_t round_div(std::uint64_t x, std::uint64_t d) {
  std::uint64_t q = x / d;
  const std::uint64_t r = x % d;
  if (2 * r > d || (2 * r == d && q % 2 == 1)) ++q;
  return q;
}

// Adds to OUT what CUR holds above SEEN (counts that only grow; a smaller CUR means the stats
// were reset, and CUR is then new in full).
std::uint64_t grown(std::uint64_t cur, std::uint64_t seen) {
  return cur >= seen ? cur - seen : cur;
}

// The histogram's values filed under Locust's keys, cumulative.
std::map<std::int64_t, std::uint64_t> locust_buckets(const stats::Histogram& h) {
  std::map<std::int64_t, std::uint64_t> out;
  for_each_bucket(h, [&out](std::uint32_t index, std::uint64_t n) {
    out[locust_rounded_ms(bucket_value(index))] += n;
  });
  return out;
}

Value count_map(const std::map<std::int64_t, std::uint64_t>& counts) {
  Map m;
  m.reserve(counts.size());
  for (const auto& [k, n] : counts) m.emplace_back(Value(static_cast<long long>(k)), Value(n));
  return m;
}

double ms(std::uint64_t us) { return static_cast<double>(us) / 1000.0; }

}  // namespace

std::int64_t locust_rounded_ms(std::uint64_t us) {
  if (us < 100'000) return static_cast<std::int64_t>(round_div(us, 1'000));
  if (us < 1'000'000) return static_cast<std::int64_t>(round_div(us, 10'000) * 10);
  if (us < 10'000'000) return static_cast<std::int64_t>(round_div(us, 100'000) * 100);
  return static_cast<std::int64_t>(round_div(us, 1'000'000) * 1'000);
}

bool LocustReporter::ErrorLess::operator()(const stats::ErrorKey& a,
                                           const stats::ErrorKey& b) const {
  return std::tie(a.method, a.name, a.message) < std::tie(b.method, b.name, b.message);
}

void LocustReporter::start_run() {
  seen_.clear();
  seen_total_ = Seen{};
  seen_errors_.clear();
}

void LocustReporter::set_users(std::vector<std::pair<std::string, std::uint64_t>> per_class) {
  user_count_ = 0;
  for (const auto& [name, n] : per_class) user_count_ += n;
  users_per_class_ = std::move(per_class);
}

void LocustReporter::fold(const stats::EndpointStats& e, double taken_unix, Seen& seen,
                          Pending& pending) {
  const stats::Entry& t = e.total;
  const std::uint64_t requests = grown(t.num_requests, seen.requests);
  pending.requests += requests;
  pending.failures += grown(t.num_failures, seen.failures);
  pending.bytes += grown(t.content_bytes, seen.bytes);
  pending.sum_us += grown(t.latency.sum(), seen.sum_us);
  const bool reset = t.num_requests < seen.requests;
  seen.requests = t.num_requests;
  seen.failures = t.num_failures;
  seen.bytes = t.content_bytes;
  seen.sum_us = t.latency.sum();
  if (t.latency.count() > 0) {
    pending.min_us = t.latency.min();
    pending.max_us = t.latency.max();
  }
  if (requests > 0) pending.last_request = taken_unix;
  std::map<std::int64_t, std::uint64_t> buckets = locust_buckets(t.latency);
  for (const auto& [key, n] : buckets) {
    auto it = seen.buckets.find(key);
    const std::uint64_t before = (reset || it == seen.buckets.end()) ? 0 : it->second;
    if (n > before) pending.buckets[key] += n - before;
  }
  seen.buckets = std::move(buckets);
  // The newest closed second ended at TAKEN_UNIX: most of it lies in the Unix second below
  // TAKEN_UNIX - 0.5.
  const auto second = static_cast<std::int64_t>(std::floor(taken_unix - 0.5));
  if (e.last_second.num_requests > 0) {
    pending.requests_per_second[second] += e.last_second.num_requests;
  }
  if (e.last_second.num_failures > 0) {
    pending.failures_per_second[second] += e.last_second.num_failures;
  }
}

void LocustReporter::observe(const stats::Snapshot& snap) {
  if (report_start_ == 0) report_start_ = snap.start_unix;
  for (const stats::EndpointStats& e : snap.endpoints) {
    fold(e, snap.taken_unix, seen_[e.key], pending_[e.key]);
  }
  fold(snap.aggregated, snap.taken_unix, seen_total_, pending_total_);
  for (const auto& [key, count] : snap.errors) {
    std::uint64_t& seen = seen_errors_[key];
    const std::uint64_t d = grown(count.occurrences, seen);
    seen = count.occurrences;
    if (d > 0) pending_errors_[key] += d;
  }
  set_users(snap.users_per_class);
}

Value LocustReporter::entry(const stats::EndpointKey& key, const Pending& p) const {
  const bool any = p.requests > 0;
  return Map{
      {"name", key.name},
      {"method", key.method},
      {"last_request_timestamp", p.last_request > 0 ? Value(p.last_request) : Value()},
      {"start_time", report_start_},
      {"num_requests", p.requests},
      {"num_none_requests", 0},
      {"num_failures", p.failures},
      {"total_response_time", ms(p.sum_us)},
      {"max_response_time", any ? ms(p.max_us) : 0.0},
      {"min_response_time", any ? Value(ms(p.min_us)) : Value()},
      {"total_content_length", p.bytes},
      {"response_times", count_map(p.buckets)},
      {"num_reqs_per_sec", count_map(p.requests_per_second)},
      {"num_fail_per_sec", count_map(p.failures_per_second)},
  };
}

Value LocustReporter::report(double now_unix) {
  if (report_start_ == 0) report_start_ = now_unix;
  Array entries;
  for (const auto& [key, p] : pending_) {
    if (p.requests == 0 && p.failures == 0) continue;
    entries.push_back(entry(key, p));
    reported_.requests[key] += p.requests;
    reported_.failures[key] += p.failures;
  }
  reported_.all_requests += pending_total_.requests;
  reported_.all_failures += pending_total_.failures;
  Map errors;
  for (const auto& [key, n] : pending_errors_) {
    // Any stable key will do: the master only sums the occurrences under equal keys.
    errors.emplace_back(key.method + "." + key.name + "." + key.message, Map{{"name", key.name},
                                                                             {"method", key.method},
                                                                             {"error", key.message},
                                                                             {"occurrences", n}});
  }
  Map users;
  for (const auto& [name, n] : users_per_class_) users.emplace_back(name, n);
  Value data = Map{
      {"stats", std::move(entries)},
      {"stats_total", entry(stats::EndpointKey{"", "Aggregated"}, pending_total_)},
      {"errors", std::move(errors)},
      {"user_classes_count", std::move(users)},
      {"user_count", user_count_},
  };
  // Counters restart; min and max stay (they are the run's, and the master keeps the extremes).
  auto restart = [](Pending& p) {
    Pending fresh;
    fresh.min_us = p.min_us;
    fresh.max_us = p.max_us;
    p = std::move(fresh);
  };
  for (auto& [key, p] : pending_) restart(p);
  restart(pending_total_);
  pending_errors_.clear();
  report_start_ = now_unix;
  return data;
}

}  // namespace arrload::cluster
