#include "stats/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace arrload::stats {
namespace {

// Locust's percentile columns, in ten-thousandths so exact ranks need no floating point.
constexpr std::uint64_t kPerTenThousand[] = {5000, 6600, 7500, 8000, 9000, 9500,
                                             9800, 9900, 9990, 9999, 10000};

// The nearest-rank value: the ceil(q * n)-th smallest sample (at least the first).
std::uint64_t exact_percentile(const std::vector<std::uint64_t>& sorted, std::uint64_t p) {
  const std::uint64_t n = sorted.size();
  const std::uint64_t rank = std::max<std::uint64_t>(1, (p * n + 9999) / 10000);
  return sorted[rank - 1];
}

Histogram fill(const std::vector<std::uint64_t>& values) {
  Histogram h;
  for (std::uint64_t v : values) h.record(v);
  return h;
}

// Checks count/min/max/sum exactly and every Locust percentile against the sorted samples.
void expect_accurate(std::vector<std::uint64_t> values) {
  const Histogram h = fill(values);
  std::sort(values.begin(), values.end());
  std::uint64_t sum = 0;
  for (std::uint64_t v : values) sum += v;
  EXPECT_EQ(h.count(), values.size());
  EXPECT_EQ(h.min(), values.front());
  EXPECT_EQ(h.max(), values.back());
  EXPECT_EQ(h.sum(), sum);
  for (std::uint64_t p : kPerTenThousand) {
    const std::uint64_t exact = exact_percentile(values, p);
    const std::uint64_t got = h.percentile(static_cast<double>(p) / 10000.0);
    // The bucket's upper bound is reported, so the error is one-sided and below 1/1024.
    EXPECT_GE(got, exact) << "p=" << p;
    EXPECT_LE((got - exact) * 1024, exact) << "p=" << p << " exact=" << exact << " got=" << got;
    EXPECT_LE(got, h.max());
  }
  EXPECT_EQ(h.percentile(1.0), values.back());
  EXPECT_EQ(h.percentile(0.0), values.front());
}

TEST(HistogramTest, UniformMicrosToOneSecond) {
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<std::uint64_t> dist(1, 1'000'000);
  std::vector<std::uint64_t> values(200'000);
  for (auto& v : values) v = dist(rng);
  expect_accurate(values);
}

TEST(HistogramTest, LogNormalLatencies) {
  std::mt19937_64 rng(2);
  std::lognormal_distribution<double> dist(std::log(50'000.0), 1.2);
  std::vector<std::uint64_t> values(200'000);
  for (auto& v : values) v = static_cast<std::uint64_t>(dist(rng));
  expect_accurate(values);
}

TEST(HistogramTest, Constant) { expect_accurate(std::vector<std::uint64_t>(1000, 123'457)); }

TEST(HistogramTest, TinyValuesAreExact) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<std::uint64_t> dist(0, 5);
  std::vector<std::uint64_t> values(10'000);
  for (auto& v : values) v = dist(rng);
  expect_accurate(values);
}

TEST(HistogramTest, HugeValuesUpToOneHour) {
  std::mt19937_64 rng(4);
  std::uniform_int_distribution<std::uint64_t> dist(0, 3'600'000'000ULL);
  std::vector<std::uint64_t> values(100'000);
  for (auto& v : values) v = dist(rng);
  expect_accurate(values);
}

TEST(HistogramTest, FewSamplesUseNearestRank) {
  // With 3 samples the median is the 2nd; with 10 the 0.9 quantile is the 9th.
  expect_accurate({10, 2000, 3'000'000});
  expect_accurate({1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
}

TEST(HistogramTest, RankIgnoresFloatingPointNoise) {
  // 0.07 * 100 evaluates to 7.000000000000001; the 7th value, not the 8th, is the answer.
  Histogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
  for (int i = 1; i <= 100; ++i) EXPECT_EQ(h.percentile(i / 100.0), std::uint64_t(i)) << i;
}

// For single values at and around every power of two, the reported value is the top of the
// value's bucket: never below it and within 1/1024 above it.
TEST(HistogramTest, BucketBoundsAtEveryMagnitude) {
  for (int bit = 0; bit < 64; ++bit) {
    const std::uint64_t base = std::uint64_t{1} << bit;
    for (std::uint64_t v : {base - 1, base, base + 1, base + base / 3}) {
      Histogram h;
      h.record(v);
      h.record(UINT64_MAX);  // so the median is not clamped down to max
      const std::uint64_t got = h.percentile(0.5);
      ASSERT_GE(got, v) << v;
      ASSERT_LE(static_cast<double>(got - v), static_cast<double>(v) / 1024.0) << v;
    }
  }
}

TEST(HistogramTest, PercentilesStayWithinMinMaxAndAreMonotonic) {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<std::uint64_t> dist(1500, 1'000'003);
  Histogram h;
  for (int i = 0; i < 5000; ++i) h.record(dist(rng));
  std::uint64_t prev = 0;
  for (int i = 0; i <= 1000; ++i) {
    const std::uint64_t got = h.percentile(i / 1000.0);
    EXPECT_GE(got, h.min());
    EXPECT_LE(got, h.max());
    EXPECT_GE(got, prev);
    prev = got;
  }
}

TEST(HistogramTest, MergeEqualsRecordingBothStreams) {
  std::mt19937_64 rng(6);
  std::lognormal_distribution<double> slow(std::log(200'000.0), 0.5);
  std::uniform_int_distribution<std::uint64_t> fast(0, 3000);
  Histogram a, b, both;
  for (int i = 0; i < 50'000; ++i) {
    const auto x = static_cast<std::uint64_t>(slow(rng));
    const auto y = fast(rng);
    a.record(x);
    b.record(y, 2);
    both.record(x);
    both.record(y, 2);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), both.count());
  EXPECT_EQ(a.sum(), both.sum());
  EXPECT_EQ(a.min(), both.min());
  EXPECT_EQ(a.max(), both.max());
  for (int i = 0; i <= 10'000; ++i) {
    ASSERT_EQ(a.percentile(i / 10'000.0), both.percentile(i / 10'000.0)) << i;
  }
}

TEST(HistogramTest, MergeIntoEmptyAndFromEmpty) {
  Histogram empty, h;
  h.record(7);
  h.record(70'000);
  h.merge(empty);
  EXPECT_EQ(h.count(), 2u);
  empty.merge(h);
  EXPECT_EQ(empty.count(), 2u);
  EXPECT_EQ(empty.min(), 7u);
  EXPECT_EQ(empty.max(), 70'000u);
  EXPECT_EQ(empty.percentile(0.5), 7u);
}

TEST(HistogramTest, MemoryIsBoundedOverTheWholeRange) {
  std::mt19937_64 rng(7);
  Histogram h;
  // Shifting by a random amount spreads values over every magnitude, 0 to 2^64 - 1.
  for (int i = 0; i < 10'000'000; ++i) h.record(rng() >> (rng() % 64));
  EXPECT_EQ(h.count(), 10'000'000u);
  EXPECT_LT(h.memory_bytes(), 1u << 20);
}

TEST(HistogramTest, MemoryIsSmallForTypicalLatencies) {
  Histogram h;
  EXPECT_EQ(h.memory_bytes(), 0u);
  for (std::uint64_t v = 1000; v < 400'000; v += 7) h.record(v);
  // 1 ms .. 400 ms spans 10 magnitudes of 8 KiB each.
  EXPECT_LT(h.memory_bytes(), 100u * 1024);
  EXPECT_GT(h.memory_bytes(), 0u);
}

TEST(HistogramTest, EmptyReturnsZero) {
  const Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.sum(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
  for (double q : {0.0, 0.5, 0.99, 1.0}) EXPECT_EQ(h.percentile(q), 0u);
}

TEST(HistogramTest, RecordWithCount) {
  Histogram h;
  h.record(100, 3);
  h.record(5000, 0);  // a zero count records nothing, not even a new max
  h.record(2000);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_EQ(h.sum(), 2300u);
  EXPECT_EQ(h.max(), 2000u);
  EXPECT_EQ(h.percentile(0.75), 100u);
  EXPECT_EQ(h.percentile(0.76), 2000u);
  EXPECT_DOUBLE_EQ(h.mean(), 575.0);
}

TEST(HistogramTest, CopyIsDeepAndMoveEmptiesTheSource) {
  Histogram h;
  h.record(10);
  Histogram copy(h);
  h.record(20'000, 10);
  EXPECT_EQ(h.percentile(0.05), 10u);  // the source keeps its buckets
  EXPECT_EQ(copy.count(), 1u);
  EXPECT_EQ(copy.percentile(0.99), 10u);
  copy = h;
  h.reset();
  EXPECT_EQ(copy.count(), 11u);
  EXPECT_EQ(copy.percentile(0.99), 20'000u);
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(0.5), 0u);

  Histogram moved(std::move(copy));
  EXPECT_EQ(moved.count(), 11u);
  EXPECT_EQ(copy.count(), 0u);  // NOLINT(bugprone-use-after-move): the contract under test
  EXPECT_EQ(copy.percentile(0.5), 0u);
  copy.record(3);  // a moved-from histogram is usable again
  EXPECT_EQ(copy.percentile(1.0), 3u);
}

TEST(HistogramTest, ExactStateRebuildsAnEqualHistogram) {
  std::mt19937_64 rng(8);
  Histogram h;
  for (int i = 0; i < 20'000; ++i) h.record(rng() >> (rng() % 64), 1 + rng() % 3);
  std::vector<std::pair<std::uint32_t, std::uint64_t>> buckets;
  std::uint64_t total = 0;
  h.for_each_bucket([&](std::uint32_t index, std::uint64_t n) {
    if (!buckets.empty()) {
      EXPECT_GT(index, buckets.back().first);
    }
    buckets.emplace_back(index, n);
    total += n;
  });
  EXPECT_EQ(total, h.count());
  EXPECT_EQ(buckets.front().first, Histogram::bucket_index(h.min()));
  EXPECT_EQ(buckets.back().first, Histogram::bucket_index(h.max()));

  Histogram back;
  ASSERT_TRUE(back.assign_state(buckets, h.sum(), h.min(), h.max()));
  EXPECT_TRUE(back == h);
  for (int i = 0; i <= 1000; ++i) ASSERT_EQ(back.percentile(i / 1000.0), h.percentile(i / 1000.0));

  Histogram other = h;
  other.record(h.max());  // one more sample in the top bucket
  EXPECT_FALSE(other == h);
  EXPECT_TRUE(Histogram() == Histogram());
}

TEST(HistogramTest, ImpossibleStatesAreRefusedAndLeaveItEmpty) {
  using Buckets = std::vector<std::pair<std::uint32_t, std::uint64_t>>;
  const std::uint32_t b100 = Histogram::bucket_index(100);
  const std::uint32_t b5000 = Histogram::bucket_index(5000);
  Histogram h;
  ASSERT_TRUE(h.assign_state(Buckets{{b100, 2}, {b5000, 1}}, 5200, 100, 5000));
  EXPECT_EQ(h.count(), 3u);
  const Buckets cases[] = {
      {{b5000, 1}, {b100, 2}},                    // out of order
      {{b100, 2}, {b100, 1}},                     // repeated
      {{b100, 0}, {b5000, 1}},                    // zero count
      {{b100, UINT64_MAX}, {b5000, 1}},           // counts overflow
      {{b100, 1}, {Histogram::kBucketCount, 1}},  // out of range
  };
  for (const Buckets& bad : cases) {
    Histogram x;
    x.record(42);
    EXPECT_FALSE(x.assign_state(bad, 5200, 100, 5000));
    EXPECT_EQ(x.count(), 0u);
    EXPECT_EQ(x.percentile(0.5), 0u);
  }
  EXPECT_FALSE(h.assign_state(Buckets{{b100, 2}, {b5000, 1}}, 5200, 99, 5000));   // min outside
  EXPECT_FALSE(h.assign_state(Buckets{{b100, 2}, {b5000, 1}}, 5200, 100, 9000));  // max outside
  EXPECT_FALSE(h.assign_state(Buckets{}, 1, 0, 0));
  EXPECT_TRUE(h.assign_state(Buckets{}, 0, 0, 0));
}

// The bounds of each bucket agree with bucket_index on both sides: its lowest and highest values
// fall in it, the values next to them in its neighbours.
TEST(HistogramTest, BucketBoundsMatchBucketIndex) {
  for (std::uint32_t index = 0; index < Histogram::kBucketCount; index += 97) {
    const std::uint64_t lowest = Histogram::bucket_lowest(index);
    const std::uint64_t highest = Histogram::bucket_highest(index);
    ASSERT_LE(lowest, highest) << index;
    EXPECT_EQ(Histogram::bucket_index(lowest), index);
    EXPECT_EQ(Histogram::bucket_index(highest), index);
    if (index > 0) EXPECT_EQ(Histogram::bucket_index(lowest - 1), index - 1);
    if (highest < UINT64_MAX) EXPECT_EQ(Histogram::bucket_index(highest + 1), index + 1);
  }
  EXPECT_EQ(Histogram::bucket_highest(Histogram::kBucketCount - 1), UINT64_MAX);
}

}  // namespace
}  // namespace arrload::stats
