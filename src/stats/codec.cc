#include "stats/codec.h"

#include <map>
#include <set>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "stats/wire.h"

namespace arrload::stats {

namespace {

enum class Kind : std::uint64_t { kDelta = 1, kSnapshot = 2 };

// version, kind, endpoints, errors, exceptions, dropped, scheduled (version 1: no scheduled)
constexpr std::uint32_t kDeltaFields = 7;
constexpr std::uint32_t kSnapshotFields = 15;  // see encode_snapshot (version 1: 14)
constexpr std::uint32_t kHistogramFields = 4;  // sum, min, max, buckets
constexpr std::uint32_t kEntryFields = 9;
constexpr std::uint32_t kErrorFields = 6;
constexpr std::uint32_t kEndpointStatsFields = 7;

// ---- writing ----

void put_histogram(wire::Writer& w, const Histogram& h, std::string& scratch) {
  if (h.count() == 0) {
    w.nil();
    return;
  }
  w.array(kHistogramFields);
  w.uint(h.sum());
  w.uint(h.min());
  w.uint(h.max());
  // Each non-empty bucket: the number of empty buckets skipped since the previous one, then its
  // count. Latencies cluster, so most gaps are 0 and most counts small: two bytes a bucket.
  scratch.clear();
  std::uint32_t next = 0;
  h.for_each_bucket([&](std::uint32_t index, std::uint64_t count) {
    wire::put_varint(scratch, index - next);
    wire::put_varint(scratch, count);
    next = index + 1;
  });
  w.bin(scratch);
}

void put_entry(wire::Writer& w, const Entry& e, std::string& scratch) {
  w.array(kEntryFields);
  w.uint(e.num_requests);
  w.uint(e.num_failures);
  w.uint(e.content_bytes);
  w.uint(e.late_starts);
  w.uint(e.wire_bytes);
  w.uint(e.redirects);
  w.str(e.category);
  put_histogram(w, e.latency, scratch);
  put_histogram(w, e.intended, scratch);
}

void put_error(wire::Writer& w, const ErrorKey& key, const ErrorCount& count) {
  w.array(kErrorFields);
  w.str(key.method);
  w.str(key.name);
  w.str(key.message);
  w.uint(count.occurrences);
  w.dbl(count.first_seen);
  w.dbl(count.last_seen);
}

template <typename Counts>
void put_counts(wire::Writer& w, const Counts& counts) {
  w.array(counts.size());
  for (const auto& [name, n] : counts) {
    w.array(2);
    w.str(name);
    w.uint(n);
  }
}

// Per-second counts, flat: the first second, its requests, its failures, then for each later
// second the step from the previous one (>= 1), its requests, its failures.
void put_seconds(wire::Writer& w, const std::map<std::int64_t, SecondCounts>& seconds) {
  w.array(seconds.size() * 3);
  bool first = true;
  std::int64_t prev = 0;
  for (const auto& [second, counts] : seconds) {
    if (first) {
      w.sint(second);
    } else {
      w.uint(static_cast<std::uint64_t>(second) - static_cast<std::uint64_t>(prev));
    }
    w.uint(counts.requests);
    w.uint(counts.failures);
    prev = second;
    first = false;
  }
}

void put_endpoint_stats(wire::Writer& w, const EndpointStats& e, std::string& scratch) {
  w.array(kEndpointStatsFields);
  w.str(e.key.method);
  w.str(e.key.name);
  put_entry(w, e.total, scratch);
  put_entry(w, e.recent, scratch);
  put_entry(w, e.last_second, scratch);
  w.dbl(e.current_rps);
  w.dbl(e.current_fail_per_sec);
}

// ---- reading ----

// Reads a histogram (nil, or its sum, min, max and bucket list) into STATE, checked with
// Histogram::valid_state.
void get_state(wire::Reader& r, HistogramState& state) {
  state.buckets.clear();
  state.sum = state.min = state.max = 0;
  if (r.nil()) return;
  if (!r.array_of(kHistogramFields, "a histogram")) return;
  state.sum = r.uint("a histogram's sum");
  state.min = r.uint("a histogram's min");
  state.max = r.uint("a histogram's max");
  if (!r.ok()) return;
  const std::size_t at = r.offset();
  const std::string_view bytes = r.bin("a histogram's buckets");
  if (!r.ok()) return;
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  std::uint64_t next = 0;
  while (p < end) {
    std::uint64_t gap = 0;
    std::uint64_t count = 0;
    if (!wire::get_varint(&p, end, gap) || !wire::get_varint(&p, end, count)) {
      r.fail(fmt::format("bad varint in the histogram buckets starting at byte {}", at));
      return;
    }
    if (gap >= Histogram::kBucketCount - next || count == 0) {
      r.fail(fmt::format("histogram bucket out of range or empty (buckets at byte {})", at));
      return;
    }
    next += gap;
    state.buckets.emplace_back(static_cast<std::uint32_t>(next), count);
    ++next;
  }
  if (!Histogram::valid_state(state)) {
    r.fail(fmt::format("histogram buckets (at byte {}) disagree with its min/max/count", at));
  }
}

struct ReadScratch {
  HistogramState state;
  std::uint64_t version = kFormatVersion;  // of the encoding being read
};

// Version 1 entries had no late_starts, version 2 no wire_bytes and redirects.
std::uint32_t entry_fields(const ReadScratch& scratch) {
  return scratch.version >= 3 ? kEntryFields : scratch.version == 2 ? 7 : 6;
}

void get_histogram(wire::Reader& r, Histogram& h, ReadScratch& scratch) {
  h.reset();
  get_state(r, scratch.state);  // checked there, so it is added as it is
  if (r.ok()) h.add_state(scratch.state);
}

// The counters and category of an entry, read alike for both forms (by version); false when
// the entry's header was wrong.
template <typename E>
bool get_entry_head(wire::Reader& r, E& e, const ReadScratch& scratch) {
  if (!r.array_of(entry_fields(scratch), "an entry")) return false;
  e.num_requests = r.uint("num_requests");
  e.num_failures = r.uint("num_failures");
  e.content_bytes = r.uint("content_bytes");
  if (scratch.version >= 2) e.late_starts = r.uint("late_starts");
  if (scratch.version >= 3) {
    e.wire_bytes = r.uint("wire_bytes");
    e.redirects = r.uint("redirects");
  } else {
    e.wire_bytes = e.content_bytes;  // as received: older encodings did not tell them apart
  }
  e.category = r.str("a category");
  return true;
}

void get_entry(wire::Reader& r, Entry& e, ReadScratch& scratch) {
  if (!get_entry_head(r, e, scratch)) return;
  get_histogram(r, e.latency, scratch);
  get_histogram(r, e.intended, scratch);
}

void get_entry(wire::Reader& r, LeanEntry& e, ReadScratch& scratch) {
  if (!get_entry_head(r, e, scratch)) return;
  get_state(r, e.latency);
  get_state(r, e.intended);
}

std::pair<ErrorKey, ErrorCount> get_error(wire::Reader& r) {
  std::pair<ErrorKey, ErrorCount> out;
  if (!r.array_of(kErrorFields, "an error")) return out;
  out.first.method = r.str("an error's method");
  out.first.name = r.str("an error's name");
  out.first.message = r.str("an error's message");
  out.second.occurrences = r.uint("an error's occurrences");
  out.second.first_seen = r.dbl("an error's first_seen");
  out.second.last_seen = r.dbl("an error's last_seen");
  return out;
}

// Calls F(name, count) for each (name, count) pair of a list written by put_counts.
template <typename F>
void get_counts(wire::Reader& r, const char* what, F&& f) {
  const std::uint32_t n = r.array(what);
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    if (!r.array_of(2, what)) return;
    std::string name = r.str(what);
    const std::uint64_t count = r.uint(what);
    if (r.ok()) f(std::move(name), count);
  }
}

// Reads per-second counts, calling F(second, requests, failures) for each.
template <typename F>
void get_seconds(wire::Reader& r, F&& f) {
  const std::uint32_t n = r.array("per-second counts");
  if (n % 3 != 0) r.fail("per-second counts are not (second, requests, failures) triples");
  std::int64_t second = 0;
  for (std::uint32_t i = 0; i < n && r.ok(); i += 3) {
    if (i == 0) {
      second = r.sint("a Unix second");
    } else {
      const std::uint64_t step = r.uint("a step between seconds");
      // Unsigned arithmetic: how far SECOND may still move without passing INT64_MAX.
      const std::uint64_t room =
          static_cast<std::uint64_t>(INT64_MAX) - static_cast<std::uint64_t>(second);
      if (r.ok() && (step == 0 || step > room)) {
        r.fail("per-second steps must be positive and stay in range");
        return;
      }
      second = static_cast<std::int64_t>(static_cast<std::uint64_t>(second) + step);
    }
    const std::uint64_t requests = r.uint("a second's requests");
    const std::uint64_t failures = r.uint("a second's failures");
    if (r.ok()) f(second, requests, failures);
  }
}

// Reads the array header, version and kind shared by every encoding, and checks them; the
// version goes into SCRATCH. FIELDS: the current version's; version 1 had one fewer.
void get_header(wire::Reader& r, Kind want, std::uint32_t fields, ReadScratch& scratch) {
  const std::uint32_t n = r.array("the encoding");
  if (r.ok() && n < 2) r.fail("too short to hold a version and a kind");
  const std::uint64_t version = r.uint("the format version");
  if (!r.ok()) return;
  if (version == 0 || version > kFormatVersion) {
    r.fail(fmt::format("format version {} is not supported (this arrload reads 1 to {})", version,
                       kFormatVersion));
    return;
  }
  scratch.version = version;
  const std::uint64_t kind = r.uint("the kind");
  if (r.ok() && kind != static_cast<std::uint64_t>(want)) {
    r.fail(fmt::format("kind {} found, {} ({}) expected", kind, static_cast<std::uint64_t>(want),
                       want == Kind::kDelta ? "delta" : "snapshot"));
  }
  if (r.ok() && scratch.version == 1) --fields;
  if (r.ok() && n != fields) r.fail(fmt::format("{} top-level fields, {} expected", n, fields));
}

template <typename T>
Decoded<T> finish(wire::Reader& r, T value) {
  r.expect_end();
  Decoded<T> out;
  if (r.ok()) {
    out.value = std::move(value);
  } else {
    out.error = r.error();
  }
  return out;
}

}  // namespace

void encode_delta(const Delta& delta, std::string& out) {
  wire::Writer w(out);
  std::string scratch;
  w.array(kDeltaFields);
  w.uint(kFormatVersion);
  w.uint(static_cast<std::uint64_t>(Kind::kDelta));
  w.array(delta.endpoints.size());
  for (const auto& [key, e] : delta.endpoints) {
    w.array(4);
    w.str(key.method);
    w.str(key.name);
    put_entry(w, e.entry, scratch);
    put_seconds(w, e.per_second);
  }
  w.array(delta.errors.size());
  for (const auto& [key, count] : delta.errors) put_error(w, key, count);
  put_counts(w, delta.exceptions);
  w.uint(delta.dropped_iterations);
  w.uint(delta.scheduled_iterations);
}

namespace {

void add_error(Delta& d, ErrorKey key, ErrorCount count) {
  d.errors.try_emplace(std::move(key), count);
}
void add_error(LeanDelta& d, ErrorKey key, ErrorCount count) {
  d.errors.emplace_back(std::move(key), count);
}

// The layout of a delta, read once for both forms: ENDPOINT(key, reader, scratch) reads one
// endpoint's entry and per-second counts into OUT and fails on a duplicate.
template <typename D, typename Endpoint>
Decoded<D> read_delta(std::string_view bytes, Endpoint&& endpoint) {
  wire::Reader r(bytes);
  ReadScratch scratch;
  D d;
  get_header(r, Kind::kDelta, kDeltaFields, scratch);
  const std::uint32_t endpoints = r.array("the endpoints");
  for (std::uint32_t i = 0; i < endpoints && r.ok(); ++i) {
    if (!r.array_of(4, "an endpoint")) break;
    const std::size_t at = r.offset();
    EndpointKey key;
    key.method = r.str("an endpoint's method");
    key.name = r.str("an endpoint's name");
    if (r.ok()) endpoint(d, std::move(key), at, r, scratch);
  }
  const std::uint32_t errors = r.array("the errors");
  std::set<ErrorKey, ErrorKeyLess> seen;
  for (std::uint32_t i = 0; i < errors && r.ok(); ++i) {
    auto [key, count] = get_error(r);
    if (!r.ok()) break;
    if (!seen.insert(key).second) {
      r.fail("duplicate error");
      break;
    }
    add_error(d, std::move(key), count);
  }
  get_counts(r, "the exceptions", [&](std::string message, std::uint64_t count) {
    if (!d.exceptions.try_emplace(std::move(message), count).second) r.fail("duplicate exception");
  });
  d.dropped_iterations = r.uint("dropped_iterations");
  if (scratch.version >= 2) d.scheduled_iterations = r.uint("scheduled_iterations");
  return finish(r, std::move(d));
}

}  // namespace

Decoded<Delta> decode_delta(std::string_view bytes) {
  return read_delta<Delta>(bytes, [](Delta& d, EndpointKey key, std::size_t at, wire::Reader& r,
                                     ReadScratch& scratch) {
    auto [it, inserted] = d.endpoints.try_emplace(std::move(key));
    if (!inserted) r.fail(fmt::format("duplicate endpoint (at byte {})", at));
    get_entry(r, it->second.entry, scratch);
    auto& seconds = it->second.per_second;
    get_seconds(r, [&seconds](std::int64_t second, std::uint64_t requests, std::uint64_t failures) {
      seconds[second] = {requests, failures};
    });
  });
}

Decoded<LeanDelta> decode_delta_lean(std::string_view bytes) {
  std::set<EndpointKey> seen;
  return read_delta<LeanDelta>(bytes, [&](LeanDelta& d, EndpointKey key, std::size_t at,
                                          wire::Reader& r, ReadScratch& scratch) {
    if (!seen.insert(key).second) r.fail(fmt::format("duplicate endpoint (at byte {})", at));
    LeanEntry& e = d.endpoints.emplace_back();
    e.key = std::move(key);
    get_entry(r, e, scratch);
    get_seconds(r, [](std::int64_t, std::uint64_t, std::uint64_t) {});  // checked, not kept
  });
}

// Layout: version, kind, start_unix, taken_unix, elapsed_s, recent_window_s, endpoints, aggregated,
// errors, user_count, peak_user_count, users_per_class, exceptions, dropped_iterations,
// scheduled_iterations. Lists keep the snapshot's order.
void encode_snapshot(const Snapshot& snap, std::string& out) {
  wire::Writer w(out);
  std::string scratch;
  w.array(kSnapshotFields);
  w.uint(kFormatVersion);
  w.uint(static_cast<std::uint64_t>(Kind::kSnapshot));
  w.dbl(snap.start_unix);
  w.dbl(snap.taken_unix);
  w.dbl(snap.elapsed_s);
  w.dbl(snap.recent_window_s);
  w.array(snap.endpoints.size());
  for (const EndpointStats& e : snap.endpoints) put_endpoint_stats(w, e, scratch);
  put_endpoint_stats(w, snap.aggregated, scratch);
  w.array(snap.errors.size());
  for (const auto& [key, count] : snap.errors) put_error(w, key, count);
  w.uint(snap.user_count);
  w.uint(snap.peak_user_count);
  put_counts(w, snap.users_per_class);
  put_counts(w, snap.exceptions);
  w.uint(snap.dropped_iterations);
  w.uint(snap.scheduled_iterations);
}

namespace {

void get_endpoint_stats(wire::Reader& r, EndpointStats& e, ReadScratch& scratch) {
  if (!r.array_of(kEndpointStatsFields, "an endpoint's statistics")) return;
  e.key.method = r.str("an endpoint's method");
  e.key.name = r.str("an endpoint's name");
  get_entry(r, e.total, scratch);
  get_entry(r, e.recent, scratch);
  get_entry(r, e.last_second, scratch);
  e.current_rps = r.dbl("current_rps");
  e.current_fail_per_sec = r.dbl("current_fail_per_sec");
}

}  // namespace

Decoded<Snapshot> decode_snapshot(std::string_view bytes) {
  wire::Reader r(bytes);
  ReadScratch scratch;
  Snapshot s;
  get_header(r, Kind::kSnapshot, kSnapshotFields, scratch);
  s.start_unix = r.dbl("start_unix");
  s.taken_unix = r.dbl("taken_unix");
  s.elapsed_s = r.dbl("elapsed_s");
  s.recent_window_s = r.dbl("recent_window_s");
  const std::uint32_t endpoints = r.array("the endpoints");
  for (std::uint32_t i = 0; i < endpoints && r.ok(); ++i) {
    get_endpoint_stats(r, s.endpoints.emplace_back(), scratch);
  }
  get_endpoint_stats(r, s.aggregated, scratch);
  const std::uint32_t errors = r.array("the errors");
  for (std::uint32_t i = 0; i < errors && r.ok(); ++i) s.errors.push_back(get_error(r));
  s.user_count = r.uint("user_count");
  s.peak_user_count = r.uint("peak_user_count");
  get_counts(r, "users per class", [&](std::string name, std::uint64_t n) {
    s.users_per_class.emplace_back(std::move(name), n);
  });
  get_counts(r, "the exceptions", [&](std::string message, std::uint64_t n) {
    s.exceptions.emplace_back(std::move(message), n);
  });
  s.dropped_iterations = r.uint("dropped_iterations");
  if (scratch.version >= 2) s.scheduled_iterations = r.uint("scheduled_iterations");
  return finish(r, std::move(s));
}

}  // namespace arrload::stats
