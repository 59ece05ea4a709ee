#pragma once
// Per-endpoint statistics: what one row of Locust's stats table holds.
#include <cstdint>
#include <string>

#include "stats/histogram.h"

namespace arrload::stats {

// A scheduled start later than this after its intended time is a late start (Entry::late_starts):
// above the timer and thread hand-off jitter of a generator that keeps up, far below what a user
// would call a stall.
inline constexpr std::uint64_t kLateStartUs = 1000;

// Identity of a stats row: Locust keys rows by (name, method). METHOD is also the CSV "Type"
// column ("GET", "POST", "WS", ...).
struct EndpointKey {
  std::string method;
  std::string name;
  bool operator==(const EndpointKey&) const = default;
  // Locust's row order: by name, then method.
  bool operator<(const EndpointKey& o) const {
    return name != o.name ? name < o.name : method < o.method;
  }
};

// Counters for one endpoint over some span of time. Mergeable; not thread-safe.
struct Entry {
  std::uint64_t num_requests = 0;   // successes + failures
  std::uint64_t num_failures = 0;   // requests judged failed (status, transport error, check)
  std::uint64_t content_bytes = 0;  // sum of response body sizes, bytes
  Histogram latency;                // response times of all requests (µs), failures included
  // Response times measured from each request's intended start (µs): the time its schedule
  // (pacing, arrival rate) meant it to begin, so a late start counts against it (corrected for
  // coordinated omission). Recorded only for scheduled requests; empty in a closed-model run.
  // Reported beside `latency`, never instead of it.
  Histogram intended;
  // Bytes of the response bodies as received, before decoding (content_bytes is after): equal
  // to content_bytes unless responses came compressed.
  std::uint64_t wire_bytes = 0;
  // Redirects followed before the responses counted (a 302 then a 200 is one request, one
  // redirect).
  std::uint64_t redirects = 0;
  // Scheduled samples in `intended` (synthesised ones included, see record_scheduled) whose start
  // was more than kLateStartUs after their intended start.
  std::uint64_t late_starts = 0;
  // The budget category the scenario declared for these requests (the first one recorded);
  // empty when none. Not a counter: merge keeps a non-empty one.
  std::string category;

  void record(std::uint64_t latency_us, std::uint64_t body_bytes, bool failed);
  // A request that had an intended start and began LATE_US after it: LATENCY_US as for record(),
  // and LATENCY_US + LATE_US (from the intended start to the last byte) into `intended`.
  // MISSED: further intended starts, PERIOD_US apart after this one's, that passed while the user
  // was busy and were never started (a closed user cannot catch up). Each is recorded in
  // `intended` as the request it would have been: LATENCY_US + LATE_US - j * PERIOD_US for
  // j = 1..MISSED (HdrHistogram's expected-interval correction). REQUIRES: MISSED * PERIOD_US <=
  // LATE_US.
  void record_scheduled(std::uint64_t latency_us, std::uint64_t late_us, std::uint64_t body_bytes,
                        bool failed, std::uint64_t missed = 0, std::uint64_t period_us = 0);
  void merge(const Entry& other);
  bool operator==(const Entry&) const = default;
};

}  // namespace arrload::stats
