#include "stats/codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "stats/aggregator.h"
#include "stats/delta.h"
#include "stats/shard.h"
#include "stats/wire.h"

namespace arrload::stats {
namespace {

constexpr std::int64_t kFirstSecond = 1'700'000'000;

// Every (index, count) of H, for comparing histograms bucket by bucket with readable failures.
std::vector<std::pair<std::uint32_t, std::uint64_t>> buckets_of(const Histogram& h) {
  std::vector<std::pair<std::uint32_t, std::uint64_t>> out;
  h.for_each_bucket([&](std::uint32_t i, std::uint64_t n) { out.emplace_back(i, n); });
  return out;
}

// Random traffic over several seconds, recorded into shard A or B (by coin) and always into
// BOTH: latencies over eight decades, failures with a few messages, several endpoints, some
// requests scheduled (with an intended-time sample), scenario exceptions.
struct Traffic {
  Delta a, b, both;
};

// Takes SHARD into DELTA as second S. Errors are stamped with S as their first and last seen,
// so that A, B and BOTH (recorded a few µs apart) agree on them.
void take_at(Shard& shard, Delta& delta, std::int64_t s) {
  ShardDelta d = shard.take();
  for (auto& [key, count] : d.errors) {
    count.first_seen = static_cast<double>(s);
    count.last_seen = static_cast<double>(s) + 0.5;
  }
  delta.add(d, s);
}

Traffic random_traffic(std::uint64_t seed, int seconds, int per_second) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> log_latency(0.0, std::log(1e8));  // 1 µs .. 100 s
  std::uniform_int_distribution<int> pick(0, 99);
  const char* methods[] = {"GET", "POST", "WS", "GET"};
  const char* names[] = {"/api/v1/series", "/api/v1/series", "ws events", "/health/[service]"};
  const char* messages[] = {"HTTP 500", "timeout", "connection refused"};
  Traffic t;
  Shard sa, sb, sboth;
  for (int s = 0; s < seconds; ++s) {
    for (int i = 0; i < per_second; ++i) {
      const int ep = pick(rng) % 4;
      const auto latency = static_cast<std::uint64_t>(std::exp(log_latency(rng)));
      const std::uint64_t bytes = static_cast<std::uint64_t>(pick(rng)) * 37;
      const bool failed = pick(rng) < 12;
      const char* message = messages[pick(rng) % 3];
      const bool scheduled = ep == 1 && pick(rng) < 80;
      const std::uint64_t late = static_cast<std::uint64_t>(pick(rng)) * 1000;
      Shard& one = pick(rng) < 50 ? sa : sb;
      for (Shard* shard : {&one, &sboth}) {
        if (scheduled) {
          shard->record_scheduled(methods[ep], names[ep], latency, {late, late / 30'000, 30'000},
                                  bytes, failed, message, "reads");
        } else {
          shard->record(methods[ep], names[ep], latency, bytes, failed, message, "reads");
        }
      }
      if (pick(rng) < 2) {
        const std::string exception = pick(rng) < 50 ? "KeyError: id" : "template: no var";
        (pick(rng) < 50 ? t.a : t.b).add_exception(exception);
        t.both.add_exception(exception);
      }
    }
    const std::uint64_t dropped = static_cast<std::uint64_t>(pick(rng) % 4);
    (s % 2 ? t.a : t.b).dropped_iterations += dropped;
    t.both.dropped_iterations += dropped;
    (s % 2 ? t.b : t.a).scheduled_iterations += dropped * 3;
    t.both.scheduled_iterations += dropped * 3;
    take_at(sa, t.a, kFirstSecond + s);
    take_at(sb, t.b, kFirstSecond + s);
    take_at(sboth, t.both, kFirstSecond + s);
  }
  return t;
}

Delta round_trip(const Delta& d) {
  Decoded<Delta> back = decode_delta(encode_delta(d));
  EXPECT_TRUE(back) << back.error;
  return back ? *back.value : Delta{};
}

void expect_same_entry(const Entry& got, const Entry& want, const std::string& where) {
  EXPECT_EQ(got.num_requests, want.num_requests) << where;
  EXPECT_EQ(got.num_failures, want.num_failures) << where;
  EXPECT_EQ(got.content_bytes, want.content_bytes) << where;
  EXPECT_EQ(got.category, want.category) << where;
  for (const auto& [h, w, what] : {std::tuple{&got.latency, &want.latency, "latency"},
                                   std::tuple{&got.intended, &want.intended, "intended"}}) {
    EXPECT_EQ(h->count(), w->count()) << where << " " << what;
    EXPECT_EQ(h->sum(), w->sum()) << where << " " << what;
    EXPECT_EQ(h->min(), w->min()) << where << " " << what;
    EXPECT_EQ(h->max(), w->max()) << where << " " << what;
    EXPECT_EQ(buckets_of(*h), buckets_of(*w)) << where << " " << what;
  }
}

TEST(CodecTest, MergedEncodedHalvesEqualRecordingTogether) {
  const Traffic t = random_traffic(11, 6, 4000);
  // The halves are real halves: both saw traffic, failures and scheduled requests.
  ASSERT_EQ(t.both.endpoints.size(), 4u);
  ASSERT_FALSE(t.a.endpoints.empty());
  ASSERT_FALSE(t.b.endpoints.empty());
  ASSERT_FALSE(t.a.errors.empty());
  ASSERT_FALSE(t.b.exceptions.empty());

  Delta merged = round_trip(t.a);
  merged.merge(round_trip(t.b));

  ASSERT_EQ(merged.endpoints.size(), t.both.endpoints.size());
  bool saw_intended = false;
  for (const auto& [key, want] : t.both.endpoints) {
    const std::string where = key.method + " " + key.name;
    auto it = merged.endpoints.find(key);
    ASSERT_NE(it, merged.endpoints.end()) << where;
    expect_same_entry(it->second.entry, want.entry, where);
    EXPECT_EQ(it->second.per_second, want.per_second) << where;
    EXPECT_EQ(it->second.per_second.size(), 6u) << where;
    saw_intended = saw_intended || want.entry.intended.count() > 0;
  }
  EXPECT_TRUE(saw_intended);
  ASSERT_EQ(merged.errors.size(), t.both.errors.size());
  for (const auto& [key, want] : t.both.errors) {
    auto it = merged.errors.find(key);
    ASSERT_NE(it, merged.errors.end()) << key.method << " " << key.name << " " << key.message;
    EXPECT_EQ(it->second.occurrences, want.occurrences) << key.message;
    EXPECT_EQ(it->second.first_seen, want.first_seen);
    EXPECT_EQ(it->second.last_seen, want.last_seen);
  }
  EXPECT_EQ(merged.exceptions, t.both.exceptions);
  EXPECT_EQ(merged.dropped_iterations, t.both.dropped_iterations);
  EXPECT_EQ(merged.scheduled_iterations, t.both.scheduled_iterations);
  EXPECT_TRUE(merged == t.both);
  // Equal values, equal bytes.
  EXPECT_EQ(encode_delta(merged), encode_delta(t.both));
}

TEST(CodecTest, IntendedTimeSamplesTravelAndMergeBesideServiceTimes) {
  Shard a, b;
  a.record_scheduled("GET", "/paced", 2'000, {148'000, 0, 0}, 10, false);
  a.record("GET", "/paced", 3'000, 10, false);  // unscheduled: no intended sample
  b.record_scheduled("GET", "/paced", 5'000, {0, 0, 0}, 10, true, "HTTP 503");
  Delta da, db;
  da.add(a.take(), kFirstSecond);
  db.add(b.take(), kFirstSecond + 1);
  Delta merged = round_trip(da);
  merged.merge(round_trip(db));
  const Entry& e = merged.endpoints.at(EndpointKey{"GET", "/paced"}).entry;
  EXPECT_EQ(e.num_requests, 3u);
  EXPECT_EQ(e.latency.count(), 3u);
  EXPECT_EQ(e.latency.sum(), 10'000u);
  EXPECT_EQ(e.intended.count(), 2u);
  EXPECT_EQ(e.intended.sum(), 155'000u);
  EXPECT_EQ(e.intended.min(), 5'000u);
  EXPECT_EQ(e.intended.max(), 150'000u);
  EXPECT_EQ(e.latency.max(), 5'000u);
  EXPECT_EQ(e.late_starts, 1u);
}

TEST(CodecTest, ReadsVersionOneEntriesWithoutLateStarts) {
  // [1, 1, [["GET", "/h", [7, 0, 5, "", nil, nil], []]], [], [], 2]: an entry of six fields.
  const std::string v1(
      "\x96\x01\x01\x91\x94\xa3GET\xa2/h\x96\x07\x00\x05\xa0\xc0\xc0\x90\x90\x90\x02", 23);
  Decoded<Delta> d = decode_delta(v1);
  ASSERT_TRUE(d) << d.error;
  const Entry& e = d.value->endpoints.at(EndpointKey{"GET", "/h"}).entry;
  EXPECT_EQ(e.num_requests, 7u);
  EXPECT_EQ(e.content_bytes, 5u);
  EXPECT_EQ(e.late_starts, 0u);
  EXPECT_EQ(e.wire_bytes, 5u);  // as decoded: version 1 did not tell them apart
  EXPECT_EQ(e.redirects, 0u);
  EXPECT_EQ(d.value->dropped_iterations, 2u);
  EXPECT_EQ(d.value->scheduled_iterations, 0u);
  // The same bytes under version 2 are refused: its deltas have seven fields.
  std::string v2 = v1;
  v2[1] = '\x02';
  EXPECT_NE(decode_delta(v2).error.find("6 top-level fields, 7 expected"), std::string::npos)
      << decode_delta(v2).error;
}

TEST(CodecTest, DeltaRoundTripsExactly) {
  Delta d = random_traffic(12, 3, 500).both;
  // Edge values: the extremes of every counter, negative and huge seconds, odd doubles.
  EndpointDelta& edge = d.endpoints[EndpointKey{"", ""}];
  edge.entry.num_requests = UINT64_MAX;
  edge.entry.content_bytes = UINT64_MAX;
  edge.entry.latency.record(0);
  edge.entry.latency.record(UINT64_MAX);
  edge.per_second[-5] = {1, 0};
  edge.per_second[INT64_MAX] = {0, UINT64_MAX};
  edge.per_second[INT64_MIN] = {UINT64_MAX, 1};
  d.errors[ErrorKey{"GET", "/ü", std::string("nul\0byte", 8)}] = {UINT64_MAX, -1e300, 1e-300};
  d.exceptions[""] = 1;
  d.dropped_iterations = UINT64_MAX - 1;
  d.scheduled_iterations = UINT64_MAX;
  const std::string bytes = encode_delta(d);
  Decoded<Delta> back = decode_delta(bytes);
  ASSERT_TRUE(back) << back.error;
  EXPECT_TRUE(*back.value == d);
  EXPECT_EQ(encode_delta(*back.value), bytes);
  EXPECT_TRUE(decode_delta(encode_delta(Delta{})).value == Delta{});
}

TEST(CodecTest, SnapshotRoundTripsExactly) {
  Aggregator agg(5'000'000, 1'700'000'000.25);
  const Traffic t = random_traffic(13, 3, 800);
  agg.absorb(t.a.to_shard_delta());
  agg.tick();
  agg.absorb(t.b.to_shard_delta());
  agg.tick();
  Snapshot snap = agg.snapshot(9'500'000, 1'700'000'004.75);
  snap.user_count = 40;
  snap.peak_user_count = 50;
  snap.users_per_class = {{"Reader", 30}, {"Writer", 10}};
  snap.exceptions = {{"KeyError: id", 7}, {"template: no var", 2}};
  snap.dropped_iterations = 12;
  snap.scheduled_iterations = 1'234;
  ASSERT_FALSE(snap.endpoints.empty());
  ASSERT_FALSE(snap.errors.empty());
  const std::string bytes = encode_snapshot(snap);
  Decoded<Snapshot> back = decode_snapshot(bytes);
  ASSERT_TRUE(back) << back.error;
  const Snapshot& s = *back.value;
  ASSERT_EQ(s.endpoints.size(), snap.endpoints.size());
  for (std::size_t i = 0; i < s.endpoints.size(); ++i) {
    EXPECT_EQ(s.endpoints[i].key, snap.endpoints[i].key);
    expect_same_entry(s.endpoints[i].total, snap.endpoints[i].total, snap.endpoints[i].key.name);
    expect_same_entry(s.endpoints[i].recent, snap.endpoints[i].recent, "recent");
    EXPECT_EQ(s.endpoints[i].current_rps, snap.endpoints[i].current_rps);
  }
  EXPECT_TRUE(s == snap);
  EXPECT_EQ(encode_snapshot(s), bytes);
  EXPECT_TRUE(decode_snapshot(encode_snapshot(Snapshot{})).value == Snapshot{});
}

TEST(CodecTest, IdleEndpointsAndHistogramsAreCompact) {
  Delta idle;
  idle.endpoints[EndpointKey{"GET", "/a"}];
  // Array and string headers, six zero counters, an empty category, two nil histograms and
  // no seconds: 14 bytes besides the 5 of "GET" and "/a".
  EXPECT_LE(encode_delta(idle).size() - encode_delta(Delta{}).size(), 19u);

  Delta busy;
  Entry& e = busy.endpoints[EndpointKey{"GET", "/a"}].entry;
  for (std::uint64_t v = 10'000; v < 10'000 + 5 * 1000; ++v) e.record(v, 0, false);
  std::size_t buckets = 0;
  e.latency.for_each_bucket([&](std::uint32_t, std::uint64_t) { ++buckets; });
  ASSERT_GT(buckets, 500u);
  // About two bytes a non-empty bucket, not the thousands of bytes of the raw blocks.
  EXPECT_LE(encode_delta(busy).size(), 2 * buckets + 60);
}

TEST(CodecTest, NewerVersionIsRefusedByName) {
  std::string bytes = encode_delta(random_traffic(14, 1, 50).both);
  ASSERT_EQ(static_cast<unsigned char>(bytes[1]), kFormatVersion);  // [fixarray, version, ...]
  bytes[1] = static_cast<char>(kFormatVersion + 1);
  Decoded<Delta> d = decode_delta(bytes);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error.find("version " + std::to_string(kFormatVersion + 1)), std::string::npos)
      << d.error;
  EXPECT_NE(d.error.find("not supported"), std::string::npos) << d.error;

  // A far newer layout (more fields, a 16-bit version) is refused the same way, by its version.
  std::string future;
  wire::Writer w(future);
  w.array(9);
  w.uint(300);
  for (int i = 0; i < 8; ++i) w.str("whatever comes later");
  Decoded<Snapshot> s = decode_snapshot(future);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error.find("version 300"), std::string::npos) << s.error;

  bytes[1] = 0;
  EXPECT_NE(decode_delta(bytes).error.find("version 0"), std::string::npos);
}

// Decodes a copy of BYTES[0, len) held in a buffer of exactly that size, so that a read past its
// end is caught by AddressSanitizer.
template <typename Decode>
std::string decode_exact_copy(const std::string& bytes, std::size_t len, Decode decode) {
  auto buf = std::make_unique<char[]>(len == 0 ? 1 : len);
  std::copy(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len), buf.get());
  auto result = decode(std::string_view(buf.get(), len));
  return result ? std::string() : result.error;
}

TEST(CodecTest, EveryPrefixOfADeltaIsRefused) {
  Delta d = random_traffic(15, 2, 300).both;
  d.endpoints[EndpointKey{"GET", "/a"}].per_second[-3] = {1, 1};
  const std::string bytes = encode_delta(d);
  for (std::size_t len = 0; len < bytes.size(); ++len) {
    const std::string error = decode_exact_copy(bytes, len, decode_delta);
    ASSERT_FALSE(error.empty()) << "a prefix of " << len << " bytes decoded";
    ASSERT_EQ(error.rfind("stats encoding: ", 0), 0u) << error;
  }
  EXPECT_TRUE(decode_exact_copy(bytes, bytes.size(), decode_delta).empty());
}

TEST(CodecTest, EveryPrefixOfASnapshotIsRefused) {
  Aggregator agg(0, 1'700'000'000);
  agg.absorb(random_traffic(16, 1, 200).both.to_shard_delta());
  agg.tick();
  Snapshot snap = agg.snapshot(1'000'000, 1'700'000'001);
  snap.users_per_class = {{"U", 3}};
  snap.exceptions = {{"boom", 1}};
  const std::string bytes = encode_snapshot(snap);
  for (std::size_t len = 0; len < bytes.size(); ++len) {
    const std::string error = decode_exact_copy(bytes, len, decode_snapshot);
    ASSERT_FALSE(error.empty()) << "a prefix of " << len << " bytes decoded";
  }
}

TEST(CodecTest, TrailingBytesWrongKindAndGarbageAreRefused) {
  const std::string delta = encode_delta(random_traffic(17, 1, 100).both);
  Decoded<Delta> trailing = decode_delta(delta + '\0');
  ASSERT_FALSE(trailing);
  EXPECT_NE(trailing.error.find("1 trailing bytes"), std::string::npos) << trailing.error;

  Decoded<Snapshot> wrong = decode_snapshot(delta);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error.find("kind 1"), std::string::npos) << wrong.error;

  for (const std::string& garbage :
       {std::string("\xc1"), std::string("\x92\x01"), std::string("\xdd\xff\xff\xff\xff\x01\x01"),
        std::string("{\"stats\": []}"), std::string(64, '\xff')}) {
    Decoded<Delta> g = decode_delta(garbage);
    EXPECT_FALSE(g);
    EXPECT_EQ(g.error.rfind("stats encoding: ", 0), 0u) << g.error;
  }
}

TEST(CodecTest, FlippedBytesNeverCrashAndWhatDecodesReencodes) {
  const std::string bytes = encode_delta(random_traffic(18, 2, 100).both);
  std::mt19937_64 rng(19);
  int refused = 0;
  for (std::size_t pos = 0; pos < bytes.size(); ++pos) {
    for (int flip : {0x01, 0x80, 0xff, static_cast<int>(rng() & 0xff) | 1}) {
      std::string bad = bytes;
      bad[pos] = static_cast<char>(bad[pos] ^ flip);
      const std::string error = decode_exact_copy(bad, bad.size(), decode_delta);
      if (!error.empty()) {
        ++refused;
        continue;
      }
      // What is accepted is a valid Delta: it survives another round trip unchanged.
      Decoded<Delta> d = decode_delta(bad);
      ASSERT_TRUE(d);
      EXPECT_TRUE(round_trip(*d.value) == *d.value);
    }
  }
  EXPECT_GT(refused, 0);
}

TEST(CodecTest, InconsistentHistogramIsRefused) {
  // One endpoint whose histogram claims min 5 while its only bucket holds 7.
  std::string bytes;
  wire::Writer w(bytes);
  w.array(7);
  w.uint(kFormatVersion);
  w.uint(1);
  w.array(1);
  w.array(4);
  w.str("GET");
  w.str("/a");
  w.array(9);
  w.uint(1);
  w.uint(0);
  w.uint(0);
  w.uint(0);
  w.uint(0);
  w.uint(0);
  w.str("");
  w.array(4);
  w.uint(7);
  w.uint(5);
  w.uint(7);
  std::string buckets;
  wire::put_varint(buckets, 7);  // gap from 0: bucket 7
  wire::put_varint(buckets, 1);
  w.bin(buckets);
  w.nil();
  w.array(0);
  w.array(0);
  w.array(0);
  w.uint(0);
  w.uint(0);
  Decoded<Delta> d = decode_delta(bytes);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error.find("disagree"), std::string::npos) << d.error;

  // The same with min 7 is accepted: the builder above is right apart from that.
  const std::size_t min_at = bytes.find(std::string("\x94\x07\x05\x07", 4));
  ASSERT_NE(min_at, std::string::npos);
  bytes[min_at + 2] = 7;
  Decoded<Delta> ok = decode_delta(bytes);
  ASSERT_TRUE(ok) << ok.error;
  EXPECT_EQ(ok.value->endpoints.begin()->second.entry.latency.percentile(0.5), 7u);
}

}  // namespace
}  // namespace arrload::stats

namespace arrload::stats {
namespace {

// The master's path: a delta decoded lean and absorbed gives the aggregator exactly what the
// full decode absorbed gives it, and lean decoding refuses what the full one refuses.
TEST(CodecTest, LeanDecodingAbsorbsExactlyAsTheFullDelta) {
  Traffic t = random_traffic(21, 3, 400);
  const std::string a = encode_delta(t.a), b = encode_delta(t.b);
  Aggregator full(0, kFirstSecond), lean(0, kFirstSecond);
  for (const std::string* bytes : {&a, &b}) {
    Decoded<Delta> d = decode_delta(*bytes);
    Decoded<LeanDelta> l = decode_delta_lean(*bytes);
    ASSERT_TRUE(d) << d.error;
    ASSERT_TRUE(l) << l.error;
    EXPECT_EQ(l.value->exceptions, d.value->exceptions);
    EXPECT_EQ(l.value->dropped_iterations, d.value->dropped_iterations);
    full.absorb(d.value->to_shard_delta());
    lean.absorb(*l.value);
  }
  full.tick();
  lean.tick();
  const Snapshot fs = full.snapshot(5'000'000, kFirstSecond + 5);
  const Snapshot ls = lean.snapshot(5'000'000, kFirstSecond + 5);
  EXPECT_TRUE(fs == ls);
  ASSERT_EQ(ls.endpoints.size(), t.both.endpoints.size());
  for (const EndpointStats& e : ls.endpoints) {
    EXPECT_TRUE(e.total == t.both.endpoints.at(e.key).entry) << e.key.name;
  }
  for (std::size_t len = 0; len < a.size(); len += 7) {
    EXPECT_FALSE(decode_delta_lean(std::string_view(a.data(), len))) << len;
  }
  std::string bad = a;
  bad[bad.size() / 2] = static_cast<char>(bad[bad.size() / 2] ^ 0x5a);
  EXPECT_EQ(static_cast<bool>(decode_delta(bad)), static_cast<bool>(decode_delta_lean(bad)));
}

}  // namespace
}  // namespace arrload::stats
