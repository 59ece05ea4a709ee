#pragma once
// The other direction of locust_stats.h: a Locust worker's `stats` data as samples an arrload
// master can merge. Locust sends response times rounded into its buckets (1 ms below 100 ms, then
// 10 ms, 100 ms, 1 s), so rows fed this way are approximate: counts, failures, sizes and errors
// are exact, response times only to the bucket.
#include <string>
#include <vector>

#include "cluster/value.h"
#include "stats/shard.h"

namespace arrload::cluster {

struct ImportedStats {
  stats::ShardDelta delta;
  // The rows the data touched (their percentiles are approximate).
  std::vector<stats::EndpointKey> rows;
  // Entries or errors that were malformed and skipped, described for the log; empty when none.
  std::string problems;
};

// DATA: the data of a Locust `stats` message (../shared/locust-protocol.md, "Stats entry").
// Garbage is skipped, never trusted: counts are bounded, a bucket's count cannot exceed the
// entry's request count in total, keys and names must have the right types.
ImportedStats import_locust_stats(const Value& data, double now_unix);

}  // namespace arrload::cluster
