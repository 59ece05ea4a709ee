#pragma once
// Line charts as inline SVG text, for the HTML report: no script, no external resource. Colours
// and dash patterns come from CSS classes (.s0 ... .s5, .axis, .grid) that the page styles, so
// one chart reads in light mode, dark mode and on paper.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report/format.h"  // html_escape

namespace arrload::report {

struct ChartSeries {
  std::string label;
  // (x, y) in the chart's units, x increasing; a NaN y breaks the line (a gap).
  std::vector<std::pair<double, double>> points;
};

enum class XAxis {
  kSeconds,     // x is seconds since the start; ticks like 0:30, 1:00, 1:00:00
  kPercentile,  // x is -log10(1 - q), ticks 0%, 90%, 99%, 99.9%, 99.99%; x 4.5 is 100%
};

struct ChartOptions {
  std::string title;   // the accessible name (role="img" aria-label) and a <title>
  std::string y_unit;  // shown on the y axis: "ms", "req/s", "users", "MiB"
  XAxis x_axis = XAxis::kSeconds;
  int width = 720;  // viewBox size; the SVG scales to its container
  int height = 220;
  // A logarithmic y axis (a tick per power of ten), for values spanning decades; values <= 0
  // sit on the bottom line.
  bool log_y = false;
};

// The SVG element (<svg ...>...</svg>). Series are drawn with classes s0, s1, ... in order
// (at most 6 styles, then repeating), with a legend when there is more than one series. Without
// any point it draws the frame and "no data".
std::string svg_line_chart(const std::vector<ChartSeries>& series, const ChartOptions& options);

// Helpers exposed for tests: a "nice" tick step (1, 2 or 5 times a power of ten) giving about
// TARGET ticks over [0, MAX]; and a time step in seconds (1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10,
// 15, 30 min, 1 h, ...).
double nice_step(double max, int target);
double nice_time_step(double max_seconds, int target);
// "0:45", "12:00", "1:05:00".
std::string clock_label(double seconds);

}  // namespace arrload::report
