#include "stats/entry.h"

namespace arrload::stats {

void Entry::record(std::uint64_t latency_us, std::uint64_t body_bytes, bool failed) {
  ++num_requests;
  if (failed) ++num_failures;
  content_bytes += body_bytes;
  latency.record(latency_us);
}

void Entry::record_scheduled(std::uint64_t latency_us, std::uint64_t intended_us,
                             std::uint64_t body_bytes, bool failed) {
  record(latency_us, body_bytes, failed);
  intended.record(intended_us);
}

void Entry::merge(const Entry& other) {
  num_requests += other.num_requests;
  num_failures += other.num_failures;
  content_bytes += other.content_bytes;
  latency.merge(other.latency);
  intended.merge(other.intended);
  if (category.empty()) category = other.category;
}

}  // namespace arrload::stats
