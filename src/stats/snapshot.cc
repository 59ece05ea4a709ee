#include "stats/snapshot.h"

namespace arrload::stats {

namespace {

// Per-second rate over the whole run; 0 before any time has passed rather than a huge spike.
double per_second(std::uint64_t n, double elapsed_s) {
  if (!(elapsed_s > 0)) return 0;
  return static_cast<double>(n) / elapsed_s;
}

}  // namespace

double Snapshot::total_rps(const EndpointStats& e) const {
  return per_second(e.total.num_requests, elapsed_s);
}

double Snapshot::total_fail_per_sec(const EndpointStats& e) const {
  return per_second(e.total.num_failures, elapsed_s);
}

double Snapshot::fail_ratio() const {
  const Entry& t = aggregated.total;
  if (t.num_requests == 0) return 0;
  return static_cast<double>(t.num_failures) / static_cast<double>(t.num_requests);
}

}  // namespace arrload::stats
