#pragma once
// A log-linear latency histogram (HdrHistogram's idea, written here).
//
// Values are microseconds. Each power-of-two range ("magnitude") is split into kSubBuckets linear
// buckets, so a recorded value is known to within 1/kSubBuckets of itself (relative error < 0.1%).
// Magnitudes are allocated lazily, so a histogram costs a few KB for typical latencies and is
// bounded (< 1 MiB) whatever the number or spread of values. Min, max, sum and count are exact.
// Merging is exact: merge(a, b) equals recording a's and b's values into one histogram.
// Not thread-safe: each thread records into its own histogram; merge afterwards.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace arrload::stats {

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

 private:
  using Block = std::array<std::uint64_t, kSubBuckets>;
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

}  // namespace arrload::stats
