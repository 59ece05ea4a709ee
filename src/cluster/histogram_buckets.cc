#include "cluster/histogram_buckets.h"

#include <array>
#include <memory>
#include <vector>

namespace arrload::cluster {

namespace {

using Blocks =
    std::vector<std::unique_ptr<std::array<std::uint64_t, stats::Histogram::kSubBuckets>>>;

const Blocks& blocks_of(const stats::Histogram& h);

// Access checks do not apply to the arguments of an explicit instantiation, so this names the
// private member; its friend function then reads it. See the header: temporary.
template <Blocks stats::Histogram::*Member>
struct BlocksReader {
  friend const Blocks& blocks_of(const stats::Histogram& h) { return h.*Member; }
};
template struct BlocksReader<&stats::Histogram::blocks_>;

}  // namespace

void for_each_bucket(const stats::Histogram& h,
                     const std::function<void(std::uint32_t, std::uint64_t)>& f) {
  if (h.count() == 0) return;
  const Blocks& blocks = blocks_of(h);
  for (std::size_t m = 0; m < blocks.size(); ++m) {
    if (!blocks[m]) continue;
    for (std::size_t s = 0; s < blocks[m]->size(); ++s) {
      const std::uint64_t n = (*blocks[m])[s];
      if (n != 0) f(static_cast<std::uint32_t>(m * stats::Histogram::kSubBuckets + s), n);
    }
  }
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
