#include "cluster/locust_import.h"

#include <cmath>

#include <fmt/format.h>

#include "core/redact.h"

namespace arrload::cluster {

namespace {

// No worker does more in one 3-second report; a larger count is garbage.
constexpr std::uint64_t kMaxCount = 1'000'000'000'000ULL;

std::optional<std::uint64_t> count_of(const Value* v) {
  if (v == nullptr) return std::nullopt;
  std::optional<std::int64_t> n = v->as_int();
  if (!n || *n < 0 || static_cast<std::uint64_t>(*n) > kMaxCount) return std::nullopt;
  return static_cast<std::uint64_t>(*n);
}

void note(std::string& problems, std::string_view what) {
  if (problems.size() < 400) problems += fmt::format("{}{}", problems.empty() ? "" : "; ", what);
}

// One entry of `stats` as an Entry; nullopt (and a note) when it is unusable.
std::optional<std::pair<stats::EndpointKey, stats::Entry>> entry_of(const Value& e,
                                                                    std::string& problems) {
  const Value* name = e.find("name");
  const Value* method = e.find("method");
  std::optional<std::uint64_t> requests = count_of(e.find("num_requests"));
  std::optional<std::uint64_t> failures = count_of(e.find("num_failures"));
  if (!name || !name->as_str() || !requests || !failures || *failures > *requests) {
    note(problems, fmt::format("a stats entry without a usable name, num_requests or "
                               "num_failures ({})",
                               e.describe()));
    return std::nullopt;
  }
  // A Locust worker's names and messages are masked as our shards mask theirs (core/redact.h).
  stats::EndpointKey key{method && method->as_str() ? *method->as_str() : "",
                         core::redact(*name->as_str())};
  stats::Entry entry;
  // Every request goes into the histogram at its bucket's value; requests whose time Locust
  // did not bucket (num_none_requests) at 0.
  std::uint64_t bucketed = 0;
  if (const Value* times = e.find("response_times"); times && times->as_map()) {
    for (const auto& [k, n] : *times->as_map()) {
      std::optional<double> ms = k.as_number();
      std::optional<std::uint64_t> count = count_of(&n);
      if (!ms || !std::isfinite(*ms) || *ms < 0 || *ms > 1e9 || !count ||
          bucketed + *count > *requests) {
        note(problems, fmt::format("a bad response_times bucket in '{}'", key.name));
        continue;
      }
      bucketed += *count;
      entry.latency.record(static_cast<std::uint64_t>(std::llround(*ms * 1000.0)), *count);
    }
  }
  if (bucketed < *requests) entry.latency.record(0, *requests - bucketed);
  entry.num_requests = *requests;
  entry.num_failures = *failures;
  entry.content_bytes = count_of(e.find("total_content_length")).value_or(0);
  return std::pair{std::move(key), std::move(entry)};
}

}  // namespace

ImportedStats import_locust_stats(const Value& data, double now_unix) {
  ImportedStats out;
  if (const Value* entries = data.find("stats"); entries && entries->as_array()) {
    for (const Value& e : *entries->as_array()) {
      auto row = entry_of(e, out.problems);
      if (!row || row->second.num_requests == 0) continue;
      out.rows.push_back(row->first);
      out.delta.entries.push_back(std::move(*row));
    }
  }
  if (const Value* errors = data.find("errors"); errors && errors->as_map()) {
    for (const auto& [k, err] : *errors->as_map()) {
      const Value* name = err.find("name");
      const Value* method = err.find("method");
      const Value* message = err.find("error");
      std::optional<std::uint64_t> n = count_of(err.find("occurrences"));
      if (!name || !name->as_str() || !message || !message->as_str() || !n) {
        note(out.problems, fmt::format("a bad error entry ({})", err.describe()));
        continue;
      }
      out.delta.errors.push_back(
          {stats::ErrorKey{method && method->as_str() ? *method->as_str() : "",
                           core::redact(*name->as_str()), core::redact(*message->as_str())},
           stats::ErrorCount{*n, now_unix, now_unix}});
    }
  }
  return out;
}

}  // namespace arrload::cluster
