#pragma once
// Reads a stats::Histogram's buckets, which stats/ does not expose on this branch yet.
//
// TEMPORARY BRIDGE: the stats-seam branch adds Histogram::for_each_bucket(f) with the same
// numbering (index = magnitude * kSubBuckets + sub-bucket, increasing value order). When it is
// merged, callers switch to it and this file is deleted. Until then this reads the private
// bucket array through an explicit template instantiation (histogram_buckets.cc), which the
// compiler checks against the member's declared type.
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
