#pragma once
// The binary encoding of statistics, for a cluster's workers and master: a Delta (what a node
// recorded since its last report) and a whole Snapshot (its endpoint table, errors, users).
// Format, byte by byte: docs/stats-encoding.md.
//
// Contract:
// - The encoding is one MessagePack value (an array), so it can travel as-is inside a Locust
//   message (as a map value, or wrapped in bin). Its first element is the format version, its
//   second the kind (delta or snapshot).
// - Exact: decode(encode(x)) == x, field for field, for every value the stats module can hold:
//   counters, exact histogram sums/min/max and every bucket, per-second counts, error keys,
//   occurrences and first/last seen, doubles bit for bit. Equal values encode to equal bytes.
// - Units are those of the in-memory types: latencies in µs, sizes in bytes, times in Unix
//   seconds (double, or integer for per-second keys), rates per second.
// - Compact: a histogram costs its non-empty buckets only (an index gap and a count per bucket,
//   varint-coded, usually 2 bytes); an empty one is one byte; an idle endpoint a few bytes.
// - Versions: kFormatVersion rises whenever the layout changes. A decoder reads every version up to
//   its own; a newer (or zero) version is refused with an error naming it, never guessed at.
// - Untrusted input: decoding never reads outside BYTES and never trusts a length or count in it
//   to allocate ahead; truncated, garbage or inconsistent input (a histogram whose buckets
//   disagree with its min/max, trailing bytes, a wrong kind) is refused with a message saying
//   what was wrong and at which byte offset. Memory is bounded by the input: at most one
//   histogram block (8 KiB) per encoded bucket.
#include <optional>
#include <string>
#include <string_view>

#include "stats/delta.h"
#include "stats/snapshot.h"

namespace arrload::stats {

// 2: entries carry late_starts; 3: wire_bytes and redirects.
inline constexpr unsigned kFormatVersion = 3;

// A decoded value, or why the input was refused.
template <typename T>
struct Decoded {
  std::optional<T> value;
  std::string error;  // set when !value: "stats encoding: <what>, at byte <offset>"
  explicit operator bool() const { return value.has_value(); }
};

// Appends the encoding of DELTA / SNAP to OUT.
void encode_delta(const Delta& delta, std::string& out);
void encode_snapshot(const Snapshot& snap, std::string& out);
inline std::string encode_delta(const Delta& delta) {
  std::string out;
  encode_delta(delta, out);
  return out;
}
inline std::string encode_snapshot(const Snapshot& snap) {
  std::string out;
  encode_snapshot(snap, out);
  return out;
}

// BYTES must hold exactly one encoding of the expected kind.
Decoded<Delta> decode_delta(std::string_view bytes);
Decoded<Snapshot> decode_snapshot(std::string_view bytes);
// The same delta, checked alike, with its histograms left as bucket lists (for merging at once
// into an Aggregator: a cluster master's path).
Decoded<LeanDelta> decode_delta_lean(std::string_view bytes);

}  // namespace arrload::stats
