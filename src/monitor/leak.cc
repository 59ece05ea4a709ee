#include "monitor/leak.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

#include <fmt/format.h>

namespace arrload::monitor {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr std::size_t kMaxTheilSenPoints = 400;
constexpr int kMinLateSamples = 5;
constexpr double kMinSpreadRatio = 0.25;

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

// Medians of consecutive runs of points, so that a long run (an hour at 1 Hz) costs a bounded
// number of pairs; each bucket's median is as robust to outliers as the points it replaces.
void bucket(const std::vector<double>& x, const std::vector<double>& y, std::vector<double>* bx,
            std::vector<double>* by) {
  const std::size_t n = x.size();
  const std::size_t per = (n + kMaxTheilSenPoints - 1) / kMaxTheilSenPoints;
  for (std::size_t i = 0; i < n; i += per) {
    const std::size_t end = std::min(n, i + per);
    bx->push_back(median({x.begin() + static_cast<std::ptrdiff_t>(i),
                          x.begin() + static_cast<std::ptrdiff_t>(end)}));
    by->push_back(median({y.begin() + static_cast<std::ptrdiff_t>(i),
                          y.begin() + static_cast<std::ptrdiff_t>(end)}));
  }
}

struct Window {
  std::vector<double> minutes;  // sample times in minutes, ascending
  std::vector<double> mib;      // RSS in MiB
  std::uint64_t peak = 0;
};

std::string mib(double value) { return fmt::format("{:.1f} MiB", value); }

// The samples of W from minute FROM on (up to TO, exclusive; TO < 0: to the end).
std::pair<std::vector<double>, std::vector<double>> slice(const Window& w, double from,
                                                          double to = -1) {
  std::pair<std::vector<double>, std::vector<double>> out;
  for (std::size_t i = 0; i < w.minutes.size(); ++i) {
    if (w.minutes[i] < from || (to >= 0 && w.minutes[i] >= to)) continue;
    out.first.push_back(w.minutes[i]);
    out.second.push_back(w.mib[i]);
  }
  return out;
}

// The rates (MiB/min) between the medians of the window's thirds (by time): 1st->2nd and
// 2nd->3rd. RSS medians are lower medians (one real reading, never the average of the readings
// either side of a step). False when a third holds fewer than 3 samples.
bool third_rates(const Window& w, std::array<double, 2>* rates) {
  const double t0 = w.minutes.front(), span = w.minutes.back() - t0;
  std::array<double, 3> at{}, level{};
  for (int i = 0; i < 3; ++i) {
    auto [x, y] = slice(w, t0 + span * i / 3, i == 2 ? -1 : t0 + span * (i + 1) / 3);
    if (x.size() < 3) return false;
    at[i] = median(x);
    std::nth_element(y.begin(), y.begin() + static_cast<std::ptrdiff_t>((y.size() - 1) / 2),
                     y.end());
    level[i] = y[(y.size() - 1) / 2];
  }
  for (int i = 0; i < 2; ++i) (*rates)[i] = (level[i + 1] - level[i]) / (at[i + 1] - at[i]);
  return true;
}

// Growth spread over the window: from each third to the next the median rises at over the rate
// threshold, and the smaller rise is at least a quarter of the larger. A single step moves one
// third's median only (the other rise is within the noise).
bool spread(const LeakVerdict& v, const LeakThresholds& th) {
  const double low = std::min(v.third_rates[0], v.third_rates[1]);
  const double high = std::max(v.third_rates[0], v.third_rates[1]);
  return low > th.mib_per_minute && low >= kMinSpreadRatio * high;
}

// Why the verdict is stable: the first criterion that failed, in the order they are checked.
std::string stable_reason(const LeakVerdict& v, const LeakThresholds& th, double trend_growth_mib) {
  if (v.growth_mib_per_minute <= th.mib_per_minute) {
    return fmt::format("stable: trend {:+.2f} MiB/min is not above {:g} MiB/min",
                       v.growth_mib_per_minute, th.mib_per_minute);
  }
  if (v.late_growth_mib_per_minute <= th.mib_per_minute) {
    return fmt::format(
        "stable: growth did not last (last-third trend {:+.2f} MiB/min is not above {:g} "
        "MiB/min: a step, or growth that levelled off)",
        v.late_growth_mib_per_minute, th.mib_per_minute);
  }
  if (!spread(v, th)) {
    return fmt::format(
        "stable: growth not spread over the window (the median of its thirds rose at {:+.2f} then "
        "{:+.2f} MiB/min; both must be above {:g}, the smaller at least {:g}x the larger: a step, "
        "or growth that began late)",
        v.third_rates[0], v.third_rates[1], th.mib_per_minute, kMinSpreadRatio);
  }
  return fmt::format("stable: trend growth {} over the window is not above {:g}% of the start RSS",
                     mib(trend_growth_mib), th.fraction_of_start * 100);
}

}  // namespace

double theil_sen_slope(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() > kMaxTheilSenPoints) {
    std::vector<double> bx, by;
    bucket(x, y, &bx, &by);
    return theil_sen_slope(bx, by);
  }
  std::vector<double> slopes;
  slopes.reserve(x.size() * (x.size() - (x.empty() ? 0 : 1)) / 2);
  for (std::size_t i = 0; i < x.size(); ++i) {
    for (std::size_t j = i + 1; j < x.size(); ++j) {
      const double dx = x[j] - x[i];
      if (dx != 0) slopes.push_back((y[j] - y[i]) / dx);
    }
  }
  return median(std::move(slopes));
}

const char* to_string(LeakVerdict::State state) {
  switch (state) {
    case LeakVerdict::kStable:
      return "stable";
    case LeakVerdict::kGrowing:
      return "growing";
    case LeakVerdict::kNotEnoughData:
      return "not enough data";
  }
  return "unknown";
}

LeakVerdict judge_memory(const std::vector<MemorySample>& samples, double ramp_up_end_seconds,
                         const LeakThresholds& thresholds) {
  LeakVerdict v;
  Window w;
  for (const MemorySample& s : samples) {
    if (!s.ok || s.t_seconds < ramp_up_end_seconds) continue;
    w.minutes.push_back(s.t_seconds / 60.0);
    w.mib.push_back(static_cast<double>(s.rss_bytes) / kMiB);
    w.peak = std::max(w.peak, s.rss_bytes);
  }
  const std::size_t n = w.minutes.size();
  v.samples_used = static_cast<int>(n);
  if (n < static_cast<std::size_t>(kMinLeakSamples)) {
    v.explanation = fmt::format(
        "not enough data: {} usable memory samples after ramp-up ({} needed)", n, kMinLeakSamples);
    return v;
  }
  v.window_seconds = (w.minutes.back() - w.minutes.front()) * 60.0;
  const auto [late_x, late_y] = slice(w, w.minutes.front() + v.window_seconds / 90.0);
  const bool thirds_ok = third_rates(w, &v.third_rates);

  // Start and end are medians of the first and last tenth (at least 3 samples), so one noisy
  // reading at either end does not decide the figures a reader compares.
  const auto k = static_cast<std::ptrdiff_t>(std::max<std::size_t>(3, n / 10));
  const double start_mib = median({w.mib.begin(), w.mib.begin() + k});
  const double end_mib = median({w.mib.end() - k, w.mib.end()});
  v.start_bytes = static_cast<std::uint64_t>(start_mib * kMiB);
  v.end_bytes = static_cast<std::uint64_t>(end_mib * kMiB);
  v.peak_bytes = w.peak;
  v.growth_mib_per_minute = theil_sen_slope(w.minutes, w.mib);
  v.late_growth_mib_per_minute = theil_sen_slope(late_x, late_y);

  const std::string figures = fmt::format(
      "RSS {} -> {} (peak {}) over {:.{}f} s after ramp-up, trend {:+.2f} MiB/min (last third "
      "{:+.2f})",
      mib(start_mib), mib(end_mib), mib(static_cast<double>(w.peak) / kMiB), v.window_seconds,
      v.window_seconds < 10 ? 1 : 0, v.growth_mib_per_minute, v.late_growth_mib_per_minute);
  if (late_x.size() < static_cast<std::size_t>(kMinLateSamples) || !thirds_ok) {
    v.explanation = fmt::format(
        "not enough data: samples bunched in time (need {} in the window's last third and 3 in "
        "each third); {}",
        kMinLateSamples, figures);
    return v;
  }
  const double trend_growth_mib = v.growth_mib_per_minute * v.window_seconds / 60.0;
  const bool growing = v.growth_mib_per_minute > thresholds.mib_per_minute &&
                       v.late_growth_mib_per_minute > thresholds.mib_per_minute &&
                       spread(v, thresholds) &&
                       trend_growth_mib > thresholds.fraction_of_start * start_mib;
  v.state = growing ? LeakVerdict::kGrowing : LeakVerdict::kStable;
  const std::string verdict =
      growing ? fmt::format(
                    "growing: sustained growth of {} (+{:.1f}% of start), above {:g} "
                    "MiB/min and {:g}% of start",
                    mib(trend_growth_mib), 100 * trend_growth_mib / std::max(start_mib, 1e-9),
                    thresholds.mib_per_minute, thresholds.fraction_of_start * 100)
              : stable_reason(v, thresholds, trend_growth_mib);
  v.explanation = verdict + "; " + figures;
  return v;
}

}  // namespace arrload::monitor
