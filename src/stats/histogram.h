#pragma once
// A log-linear latency histogram (HdrHistogram's idea, written here).
//
// Values are microseconds. Each power-of-two range ("magnitude") is split into kSubBuckets linear
// buckets, so a recorded value is known to within 1/kSubBuckets of itself (relative error < 0.1%).
// Buckets are allocated lazily in chunks of kChunk (1 KiB), so a histogram costs about 1 KiB per
// cluster of nearby values (a few KiB for typical latencies) and is bounded (< 1 MiB) whatever
// the number or spread of values; copying and merging touch only the chunks in use, which is
// what a cluster master, merging thousands of workers' histograms a second, needs. Min, max, sum
// and count are exact. Merging is exact: merge(a, b) equals recording a's and b's values into one
// histogram. Not thread-safe: each thread records into its own histogram; merge afterwards.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace arrload::stats {

// A histogram's exact state, as the codec carries it: the non-empty buckets in increasing index
// order (Histogram::bucket_index numbering), and the exact sum, min and max.
struct HistogramState {
  std::vector<std::pair<std::uint32_t, std::uint64_t>> buckets;
  std::uint64_t sum = 0;
  std::uint64_t min = 0;
  std::uint64_t max = 0;
};

class Histogram {
 public:
  static constexpr int kSubBucketBits = 10;  // 1024 sub-buckets per magnitude
  static constexpr int kSubBuckets = 1 << kSubBucketBits;
  static constexpr int kMagnitudes = 64 - kSubBucketBits + 1;

  Histogram() = default;
  Histogram(const Histogram& other);
  Histogram& operator=(const Histogram& other);
  // Moving leaves OTHER empty (count() == 0), not merely valid.
  Histogram(Histogram&& other) noexcept;
  Histogram& operator=(Histogram&& other) noexcept;

  // Records VALUE_US (microseconds, >= 0) COUNT times.
  void record(std::uint64_t value_us, std::uint64_t count = 1);
  // Adds every value recorded in OTHER.
  void merge(const Histogram& other);
  void reset();

  std::uint64_t count() const { return count_; }
  // Exact; 0 when empty.
  std::uint64_t min() const { return count_ ? min_ : 0; }
  std::uint64_t max() const { return max_; }
  // Exact sum of recorded values (microseconds).
  std::uint64_t sum() const { return sum_; }
  double mean() const {
    return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0;
  }

  // The value at quantile Q in [0, 1], like Locust's "Q*100 %" column: the smallest bucket value
  // v such that at least ceil(Q * count) recorded values are <= v's bucket. Always within
  // [min(), max()]; 0 when empty. percentile(1.0) == max(), percentile(0) == min().
  std::uint64_t percentile(double q) const;

  // Bytes of heap used, for memory accounting.
  std::size_t memory_bytes() const;

  // Same count, sum, min, max and the same count in every bucket.
  bool operator==(const Histogram& other) const;

  // --- The exact state, for serialisation (stats/codec.h) ---
  // Buckets are numbered 0 .. kBucketCount - 1 in increasing value order.
  static constexpr std::uint32_t kBucketCount =
      static_cast<std::uint32_t>(kMagnitudes) * static_cast<std::uint32_t>(kSubBuckets);
  // The bucket VALUE falls into.
  static std::uint32_t bucket_index(std::uint64_t value);
  // The smallest and the largest value bucket INDEX (< kBucketCount) holds.
  static std::uint64_t bucket_lowest(std::uint32_t index);
  static std::uint64_t bucket_highest(std::uint32_t index);
  // Calls F(index, count) for every non-empty bucket, in increasing index order.
  template <typename F>
  void for_each_bucket(F&& f) const;
  // Replaces the contents with an exact state: BUCKETS as (index, count) pairs in strictly
  // increasing index order, every count > 0; SUM, MIN and MAX as sum(), min() and max() give
  // them. Returns false and leaves the histogram empty when the state is impossible: an index out
  // of range or out of order, a zero count, counts that overflow, or MIN / MAX not in the first /
  // last bucket. An empty BUCKETS requires SUM == MIN == MAX == 0.
  bool assign_state(const std::vector<std::pair<std::uint32_t, std::uint64_t>>& buckets,
                    std::uint64_t sum, std::uint64_t min, std::uint64_t max);
  // Whether STATE is one assign_state() takes (the same checks).
  static bool valid_state(const HistogramState& state);
  // Adds the values of a histogram in STATE, which must be valid_state(): merge() without
  // building that histogram (touches only its buckets).
  void add_state(const HistogramState& state);

 private:
  static constexpr int kChunkBits = 7;
  static constexpr int kChunk = 1 << kChunkBits;                    // buckets per chunk
  static constexpr int kChunksPerMagnitude = kSubBuckets / kChunk;  // 8
  using Chunk = std::array<std::uint64_t, kChunk>;
  // One magnitude: its chunks, allocated as values arrive.
  struct Block {
    std::array<std::unique_ptr<Chunk>, kChunksPerMagnitude> chunks;
  };
  // assign_state's checks.
  static bool valid(const std::vector<std::pair<std::uint32_t, std::uint64_t>>& buckets,
                    std::uint64_t sum, std::uint64_t min, std::uint64_t max);
  // add_state's body: adds a valid state given by its parts.
  void add(const std::vector<std::pair<std::uint32_t, std::uint64_t>>& buckets, std::uint64_t sum,
           std::uint64_t min, std::uint64_t max);
  // The bucket of (MAGNITUDE, SUB), allocated (zero) if need be.
  std::uint64_t& slot(int magnitude, int sub);
  // Index of the magnitude and sub-bucket of VALUE.
  static void locate(std::uint64_t value, int& magnitude, int& sub);
  // The highest value that maps to (magnitude, sub).
  static std::uint64_t bucket_upper(int magnitude, int sub);

  std::vector<std::unique_ptr<Block>> blocks_;  // size kMagnitudes once anything is recorded
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
};

template <typename F>
void Histogram::for_each_bucket(F&& f) const {
  if (count_ == 0) return;
  for (int m = 0; m < kMagnitudes; ++m) {
    const auto& block = blocks_[m];
    if (!block) continue;
    for (int c = 0; c < kChunksPerMagnitude; ++c) {
      const Chunk* chunk = block->chunks[c].get();
      if (chunk == nullptr) continue;
      const std::uint32_t base =
          static_cast<std::uint32_t>(m) * kSubBuckets + static_cast<std::uint32_t>(c) * kChunk;
      for (int s = 0; s < kChunk; ++s) {
        if ((*chunk)[s] != 0) f(base + static_cast<std::uint32_t>(s), (*chunk)[s]);
      }
    }
  }
}

}  // namespace arrload::stats
