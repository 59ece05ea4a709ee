#include "cluster/histogram_buckets.h"

namespace arrload::cluster {

void for_each_bucket(const stats::Histogram& h,
                     const std::function<void(std::uint32_t, std::uint64_t)>& f) {
  h.for_each_bucket(f);
}

std::uint64_t bucket_value(std::uint32_t index) {
  constexpr std::uint32_t kSub = stats::Histogram::kSubBuckets;
  const std::uint32_t m = index / kSub;
  const std::uint64_t sub = index % kSub;
  if (m == 0) return sub;
  const std::uint64_t lower = (sub + kSub) << (m - 1);
  const std::uint64_t half_width = (std::uint64_t{1} << (m - 1)) / 2;
  return lower + half_width;
}

}  // namespace arrload::cluster
