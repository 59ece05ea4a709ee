#include "stats/entry.h"

namespace arrload::stats {

void Entry::record(std::uint64_t latency_us, std::uint64_t body_bytes, bool failed) {
  ++num_requests;
  if (failed) ++num_failures;
  content_bytes += body_bytes;
  latency.record(latency_us);
}

void Entry::record_scheduled(std::uint64_t latency_us, std::uint64_t late_us,
                             std::uint64_t body_bytes, bool failed, std::uint64_t missed,
                             std::uint64_t period_us) {
  record(latency_us, body_bytes, failed);
  intended.record(latency_us + late_us);
  if (late_us > kLateStartUs) ++late_starts;
  for (std::uint64_t j = 1; j <= missed; ++j) {
    const std::uint64_t late = late_us - j * period_us;
    intended.record(latency_us + late);
    if (late > kLateStartUs) ++late_starts;
  }
}

void Entry::merge(const Entry& other) {
  num_requests += other.num_requests;
  num_failures += other.num_failures;
  content_bytes += other.content_bytes;
  late_starts += other.late_starts;
  wire_bytes += other.wire_bytes;
  redirects += other.redirects;
  latency.merge(other.latency);
  intended.merge(other.intended);
  if (category.empty()) category = other.category;
}

}  // namespace arrload::stats
