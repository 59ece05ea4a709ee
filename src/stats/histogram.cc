#include "stats/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <utility>

namespace arrload::stats {

// Layout: magnitude 0 holds [0, kSubBuckets) one microsecond per bucket. Magnitude m > 0 holds
// the octave [kSubBuckets << (m - 1), kSubBuckets << m) in kSubBuckets buckets of width
// 2^(m - 1), so a bucket's width is at most 1/kSubBuckets of its lowest value. That bound is
// what keeps every reported percentile within 0.1% of a real sample.

void Histogram::locate(std::uint64_t value, int& magnitude, int& sub) {
  if (value < static_cast<std::uint64_t>(kSubBuckets)) {
    magnitude = 0;
    sub = static_cast<int>(value);
    return;
  }
  const int msb = 63 - std::countl_zero(value);  // >= kSubBucketBits
  magnitude = msb - kSubBucketBits + 1;
  // value >> (magnitude - 1) lies in [kSubBuckets, 2 * kSubBuckets).
  sub = static_cast<int>(value >> (magnitude - 1)) - kSubBuckets;
}

std::uint64_t Histogram::bucket_upper(int magnitude, int sub) {
  if (magnitude == 0) return static_cast<std::uint64_t>(sub);
  const int shift = magnitude - 1;
  const std::uint64_t lower = static_cast<std::uint64_t>(sub + kSubBuckets) << shift;
  // Written as lower + (width - 1) so the top bucket ends at UINT64_MAX without overflowing.
  return lower + ((std::uint64_t{1} << shift) - 1);
}

std::uint64_t& Histogram::slot(int magnitude, int sub) {
  if (blocks_.empty()) blocks_.resize(kMagnitudes);
  auto& block = blocks_[magnitude];
  if (!block) block = std::make_unique<Block>();
  auto& chunk = block->chunks[sub >> kChunkBits];
  if (!chunk) chunk = std::make_unique<Chunk>();  // value-initialised: all zero
  return (*chunk)[sub & (kChunk - 1)];
}

Histogram::Histogram(const Histogram& other)
    : count_(other.count_), sum_(other.sum_), min_(other.min_), max_(other.max_) {
  if (other.blocks_.empty()) return;
  blocks_.resize(kMagnitudes);
  for (int m = 0; m < kMagnitudes; ++m) {
    const Block* theirs = other.blocks_[m].get();
    if (theirs == nullptr) continue;
    blocks_[m] = std::make_unique<Block>();
    for (int c = 0; c < kChunksPerMagnitude; ++c) {
      if (theirs->chunks[c]) blocks_[m]->chunks[c] = std::make_unique<Chunk>(*theirs->chunks[c]);
    }
  }
}

Histogram& Histogram::operator=(const Histogram& other) {
  if (this != &other) {
    Histogram copy(other);
    *this = std::move(copy);
  }
  return *this;
}

// Hand-written so that a moved-from histogram is empty rather than keeping its counters while
// losing its buckets (which would make count() and percentile() disagree).
Histogram::Histogram(Histogram&& other) noexcept
    : blocks_(std::move(other.blocks_)),
      count_(std::exchange(other.count_, 0)),
      sum_(std::exchange(other.sum_, 0)),
      min_(std::exchange(other.min_, UINT64_MAX)),
      max_(std::exchange(other.max_, 0)) {
  other.blocks_.clear();
}

Histogram& Histogram::operator=(Histogram&& other) noexcept {
  if (this != &other) {
    blocks_ = std::move(other.blocks_);
    other.blocks_.clear();
    count_ = std::exchange(other.count_, 0);
    sum_ = std::exchange(other.sum_, 0);
    min_ = std::exchange(other.min_, UINT64_MAX);
    max_ = std::exchange(other.max_, 0);
  }
  return *this;
}

void Histogram::record(std::uint64_t value_us, std::uint64_t count) {
  if (count == 0) return;
  if (blocks_.empty()) blocks_.resize(kMagnitudes);
  int m = 0;
  int sub = 0;
  locate(value_us, m, sub);
  slot(m, sub) += count;
  count_ += count;
  sum_ += value_us * count;
  min_ = std::min(min_, value_us);
  max_ = std::max(max_, value_us);
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;
  if (blocks_.empty()) blocks_.resize(kMagnitudes);
  for (int m = 0; m < kMagnitudes; ++m) {
    const Block* theirs = other.blocks_[m].get();
    if (theirs == nullptr) continue;
    auto& mine = blocks_[m];
    if (!mine) mine = std::make_unique<Block>();
    for (int c = 0; c < kChunksPerMagnitude; ++c) {
      const Chunk* from = theirs->chunks[c].get();
      if (from == nullptr) continue;
      auto& to = mine->chunks[c];
      if (!to) {
        to = std::make_unique<Chunk>(*from);
        continue;
      }
      for (int s = 0; s < kChunk; ++s) (*to)[s] += (*from)[s];
    }
  }
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void Histogram::reset() {
  blocks_.clear();
  count_ = 0;
  sum_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
}

namespace {

// ceil(q * count), at least 1. The product is nudged down by a few ulps first so that, e.g.,
// 0.07 * 100 (which evaluates to 7.000000000000001) gives rank 7, not 8.
std::uint64_t rank_for(double q, std::uint64_t count) {
  const double exact = q * static_cast<double>(count);
  const double rank = std::ceil(exact - exact * 1e-14);
  if (rank < 1) return 1;
  return std::min(count, static_cast<std::uint64_t>(rank));
}

}  // namespace

std::uint64_t Histogram::percentile(double q) const {
  if (count_ == 0) return 0;
  if (!(q > 0)) return min_;  // also catches NaN
  if (q >= 1) return max_;
  const std::uint64_t rank = rank_for(q, count_);
  std::uint64_t seen = 0;
  for (int m = 0; m < kMagnitudes; ++m) {
    const auto& block = blocks_[m];
    if (!block) continue;
    for (int c = 0; c < kChunksPerMagnitude; ++c) {
      const Chunk* chunk = block->chunks[c].get();
      if (chunk == nullptr) continue;
      for (int s = 0; s < kChunk; ++s) {
        seen += (*chunk)[s];
        if (seen >= rank) return std::clamp(bucket_upper(m, c * kChunk + s), min_, max_);
      }
    }
  }
  return max_;  // unreachable while the bucket counts add up to count_
}

std::uint32_t Histogram::bucket_index(std::uint64_t value) {
  int m = 0;
  int sub = 0;
  locate(value, m, sub);
  return static_cast<std::uint32_t>(m) * kSubBuckets + static_cast<std::uint32_t>(sub);
}

std::uint64_t Histogram::bucket_lowest(std::uint32_t index) {
  const int m = static_cast<int>(index / kSubBuckets);
  const int sub = static_cast<int>(index % kSubBuckets);
  if (m == 0) return static_cast<std::uint64_t>(sub);
  return static_cast<std::uint64_t>(sub + kSubBuckets) << (m - 1);
}

std::uint64_t Histogram::bucket_highest(std::uint32_t index) {
  return bucket_upper(static_cast<int>(index / kSubBuckets), static_cast<int>(index % kSubBuckets));
}

bool Histogram::operator==(const Histogram& other) const {
  if (count_ != other.count_ || sum_ != other.sum_ || min() != other.min() || max_ != other.max_) {
    return false;
  }
  if (count_ == 0) return true;
  // A missing chunk and an all-zero one are the same buckets.
  for (int m = 0; m < kMagnitudes; ++m) {
    const Block* a = blocks_[m].get();
    const Block* b = other.blocks_[m].get();
    for (int c = 0; c < kChunksPerMagnitude; ++c) {
      const Chunk* x = a ? a->chunks[c].get() : nullptr;
      const Chunk* y = b ? b->chunks[c].get() : nullptr;
      for (int s = 0; s < kChunk; ++s) {
        if ((x ? (*x)[s] : 0) != (y ? (*y)[s] : 0)) return false;
      }
    }
  }
  return true;
}

bool Histogram::valid(const std::vector<std::pair<std::uint32_t, std::uint64_t>>& buckets,
                      std::uint64_t sum, std::uint64_t min, std::uint64_t max) {
  if (buckets.empty()) return sum == 0 && min == 0 && max == 0;
  if (min > max || bucket_index(min) != buckets.front().first ||
      bucket_index(max) != buckets.back().first) {
    return false;
  }
  std::uint64_t total = 0;
  std::uint32_t next = 0;  // the lowest index the next pair may have
  for (const auto& [index, n] : buckets) {
    if (index < next || index >= kBucketCount || n == 0 || n > UINT64_MAX - total) return false;
    total += n;
    next = index + 1;
  }
  return true;
}

bool Histogram::assign_state(const std::vector<std::pair<std::uint32_t, std::uint64_t>>& buckets,
                             std::uint64_t sum, std::uint64_t min, std::uint64_t max) {
  reset();
  if (!valid(buckets, sum, min, max)) return false;
  add(buckets, sum, min, max);
  return true;
}

bool Histogram::valid_state(const HistogramState& state) {
  return valid(state.buckets, state.sum, state.min, state.max);
}

void Histogram::add_state(const HistogramState& state) {
  add(state.buckets, state.sum, state.min, state.max);
}

void Histogram::add(const std::vector<std::pair<std::uint32_t, std::uint64_t>>& buckets,
                    std::uint64_t sum, std::uint64_t min, std::uint64_t max) {
  if (buckets.empty()) return;
  for (const auto& [index, n] : buckets) {
    slot(static_cast<int>(index / kSubBuckets), static_cast<int>(index % kSubBuckets)) += n;
    count_ += n;
  }
  sum_ += sum;
  min_ = std::min(min_, min);
  max_ = std::max(max_, max);
}

std::size_t Histogram::memory_bytes() const {
  std::size_t bytes = blocks_.capacity() * sizeof(blocks_[0]);
  for (const auto& b : blocks_) {
    if (!b) continue;
    bytes += sizeof(Block);
    for (const auto& c : b->chunks) {
      if (c) bytes += sizeof(Chunk);
    }
  }
  return bytes;
}

}  // namespace arrload::stats
