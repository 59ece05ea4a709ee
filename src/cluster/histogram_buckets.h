#pragma once
// A stats::Histogram's buckets as Locust's reports need them: each non-empty bucket with a value
// that stands for it. Numbering: stats::Histogram::bucket_index (magnitude * kSubBuckets +
// sub-bucket, increasing value order).
#include <cstdint>
#include <functional>

#include "stats/histogram.h"

namespace arrload::cluster {

// Calls F(index, count) for every non-empty bucket of H, in increasing index order.
void for_each_bucket(const stats::Histogram& h,
                     const std::function<void(std::uint32_t, std::uint64_t)>& f);

// A value inside bucket INDEX, in microseconds: the exact value below kSubBuckets µs, the
// bucket's middle above (within 0.05% of every value the bucket holds). Depends only on INDEX,
// so counts keyed by it never move between keys as more values arrive.
std::uint64_t bucket_value(std::uint32_t index);

}  // namespace arrload::cluster
