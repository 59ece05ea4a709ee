#include "cluster/histogram_buckets.h"

namespace arrload::cluster {

void for_each_bucket(const stats::Histogram& h,
                     const std::function<void(std::uint32_t, std::uint64_t)>& f) {
  h.for_each_bucket(f);
}

std::uint64_t bucket_value(std::uint32_t index) {
  const std::uint64_t lowest = stats::Histogram::bucket_lowest(index);
  return lowest + (stats::Histogram::bucket_highest(index) - lowest + 1) / 2;
}

}  // namespace arrload::cluster
