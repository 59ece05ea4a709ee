#include "stats/entry.h"

namespace arrload::stats {

void Entry::record(std::uint64_t latency_us, std::uint64_t body_bytes, bool failed) {
  ++num_requests;
  if (failed) ++num_failures;
  content_bytes += body_bytes;
  latency.record(latency_us);
}

void Entry::merge(const Entry& other) {
  num_requests += other.num_requests;
  num_failures += other.num_failures;
  content_bytes += other.content_bytes;
  latency.merge(other.latency);
  if (category.empty()) category = other.category;
}

}  // namespace arrload::stats
