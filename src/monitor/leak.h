#pragma once
// Leak detection: a verdict on the target's memory over a run, from its RSS samples. Pure
// functions, no I/O. The algorithm and its reasons are in docs/monitoring.md ("Leak detector").
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "monitor/memory_sample.h"

namespace arrload::monitor {

struct LeakThresholds {
  double mib_per_minute = 1;        // the trend must be above this rate (MiB per minute) ...
  double fraction_of_start = 0.05;  // ... and grow by more than this fraction of the start RSS
};

struct LeakVerdict {
  enum State { kStable, kGrowing, kNotEnoughData };
  State state = kNotEnoughData;
  std::uint64_t start_bytes = 0;          // median of the first samples of the window
  std::uint64_t peak_bytes = 0;           // the highest sample of the window
  std::uint64_t end_bytes = 0;            // median of the last samples of the window
  double growth_mib_per_minute = 0;       // robust trend (Theil-Sen) over the whole window
  double late_growth_mib_per_minute = 0;  // the same over the window's last third
  // Rates (MiB/min) between the median RSS of the window's thirds: 1st->2nd, 2nd->3rd.
  std::array<double, 2> third_rates{};
  double window_seconds = 0;  // from the first to the last sample judged
  int samples_used = 0;       // ok samples at or after the ramp-up's end
  std::string explanation;    // one line, with the figures behind the verdict
};

// The minimum number of usable samples (ok, at or after the ramp-up) for a verdict.
inline constexpr int kMinLeakSamples = 10;

// Judges SAMPLES (in time order) taken at or after RAMP_UP_END_SECONDS (same clock as
// MemorySample::t_seconds). kGrowing only when all hold: the robust trend over the window and
// over its last third both exceed THRESHOLDS.mib_per_minute (still growing at the end); the
// median RSS rises from each third of the window to the next at over that rate, the smaller
// rise at least a quarter of the larger (spread over time, not one step); the trend's growth
// over the window exceeds THRESHOLDS.fraction_of_start of the start RSS. Else kStable (a step
// that then holds, noise, growth that levelled off). Fewer than kMinLeakSamples usable samples,
// or samples so bunched in time that a third holds fewer than 3 (the last fewer than 5):
// kNotEnoughData.
LeakVerdict judge_memory(const std::vector<MemorySample>& samples, double ramp_up_end_seconds,
                         const LeakThresholds& thresholds = {});

// "stable", "growing", "not enough data".
const char* to_string(LeakVerdict::State state);

// The Theil-Sen slope (median of pairwise slopes) of Y over X, in Y units per X unit; 0 for
// fewer than 2 points or when all X are equal. Above 400 points, medians of consecutive buckets
// are used (the estimate stays robust; the cost stays O(400^2)). REQUIRES: X.size() == Y.size().
double theil_sen_slope(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace arrload::monitor
