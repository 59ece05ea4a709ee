#pragma once
// The per-thread collector of samples. The only stats object touched on the request path.
//
// A Shard belongs to one worker thread; it is never shared or locked. Once a second the thread
// calls take() and hands the result (a ShardDelta) to the Aggregator.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stats/entry.h"

namespace arrload::stats {

// One grouped failure: Locust's failures.csv row (method, name, error) with its count.
struct ErrorKey {
  std::string method;
  std::string name;
  std::string message;
  bool operator==(const ErrorKey&) const = default;
};
struct ErrorKeyHash {
  std::size_t operator()(const ErrorKey& k) const;
};
struct ErrorCount {
  std::uint64_t occurrences = 0;
  double first_seen = 0;  // Unix seconds
  double last_seen = 0;   // Unix seconds
  bool operator==(const ErrorCount&) const = default;
};

// What a shard collected since its last take(): entries by endpoint and errors by key.
struct ShardDelta {
  std::vector<std::pair<EndpointKey, Entry>> entries;   // unordered
  std::vector<std::pair<ErrorKey, ErrorCount>> errors;  // unordered
  // Iterations an open-model schedule was due to start but could not (no free user).
  std::uint64_t dropped_iterations = 0;
  // Iterations an open-model schedule started.
  std::uint64_t scheduled_iterations = 0;
  bool empty() const {
    return entries.empty() && errors.empty() && dropped_iterations == 0 &&
           scheduled_iterations == 0;
  }
};

// One request as it is recorded, for a listener (-L DEBUG's per-request lines). The views are
// valid during the call only.
struct SampleView {
  std::string_view method;
  std::string_view name;
  std::uint64_t latency_us = 0;
  std::uint64_t body_bytes = 0;
  bool failed = false;
  std::string_view error;  // set when FAILED
};
using SampleListener = std::function<void(const SampleView&)>;

class Shard {
 public:
  Shard() = default;
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // How a response travelled: its body's bytes as received (before decoding) and the redirects
  // followed to reach it. A sample recorded without one counts its body bytes as received.
  struct Transfer {
    std::uint64_t wire_bytes = 0;
    std::uint64_t redirects = 0;
  };

  // Records one request. ERROR_MESSAGE is used only when FAILED. Secrets in NAME and
  // ERROR_MESSAGE (tokens in a query string, an Authorization header quoted in a message) are
  // masked before they are kept or passed to the listener (core/redact.h). METHOD, NAME and
  // CATEGORY (the budget category) are copied only the first time an endpoint is seen, so
  // steady-state recording does not allocate.
  void record(std::string_view method, std::string_view name, std::uint64_t latency_us,
              std::uint64_t body_bytes, bool failed, std::string_view error_message = {},
              std::string_view category = {}, const Transfer* transfer = nullptr);

  // Records one request that had an intended start (an open-model schedule or pacing): as
  // record(), and the entry's `intended` histogram and late starts as Entry::record_scheduled
  // does with LATE_US and SLOTS (MISSED starts PERIOD_US apart). Allocates no more than record().
  struct Slots {
    std::uint64_t late_us = 0;
    std::uint64_t missed = 0;
    std::uint64_t period_us = 0;
  };
  void record_scheduled(std::string_view method, std::string_view name, std::uint64_t latency_us,
                        Slots slots, std::uint64_t body_bytes, bool failed,
                        std::string_view error_message = {}, std::string_view category = {},
                        const Transfer* transfer = nullptr);

  // Counts N iterations an open-model schedule was due to start but could not (no free user).
  void add_dropped(std::uint64_t n) { dropped_ += n; }
  // Counts one iteration an open-model schedule started.
  void add_scheduled() { ++scheduled_; }

  // Moves everything recorded since the last take() out, leaving the shard empty.
  ShardDelta take();

  // LISTENER is called with every request recorded from now on, on the recording thread; empty:
  // none (the default, costing one test per request).
  void set_listener(SampleListener listener) { listener_ = std::move(listener); }

 private:
  // MESSAGE with its secrets masked (core/redact.h); remembers the last one.
  std::string_view masked_message(std::string_view message);
  // record() and record_scheduled(): one body, so the unscheduled path stays as short as it was.
  template <bool kScheduled>
  void record_sample(std::string_view method, std::string_view name, std::uint64_t latency_us,
                     Slots slots, std::uint64_t body_bytes, bool failed,
                     std::string_view error_message, std::string_view category,
                     const Transfer* transfer);

  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const;
  };
  struct KeyEq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  };
  // Keyed by method + '\0' + name; lookup uses scratch_ so no allocation once a key exists.
  std::unordered_map<std::string, std::pair<EndpointKey, Entry>, KeyHash, KeyEq> entries_;
  std::unordered_map<ErrorKey, ErrorCount, ErrorKeyHash> errors_;
  std::string scratch_;
  ErrorKey error_scratch_;       // reused for error lookups, for the same reason as scratch_
  std::string name_scratch_;     // a name with its secrets masked (core/redact.h)
  std::string message_scratch_;  // last_message_ with its secrets masked, if last_message_masked_
  std::string last_message_;     // the last failure message masked_message() was given
  bool last_message_masked_ = false;
  SampleListener listener_;
  std::uint64_t dropped_ = 0;
  std::uint64_t scheduled_ = 0;
};

}  // namespace arrload::stats
