#include "report/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace arrload::report {

double nice_step(double max, int target) {
  if (!(max > 0) || !std::isfinite(max)) return 1;
  const double raw = max / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0}) {
    if (m * mag >= raw) return m * mag;
  }
  return 10 * mag;
}

double nice_time_step(double max_seconds, int target) {
  static const double kSteps[] = {1,   2,   5,    10,   15,   30,    60,    120,   300,
                                  600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
  const double raw = max_seconds / std::max(1, target);
  for (double s : kSteps) {
    if (s >= raw) return s;
  }
  return std::ceil(raw / 86400) * 86400;
}

std::string clock_label(double seconds) {
  const long long s = std::llround(std::max(0.0, seconds));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

namespace {

// A y tick label: whole numbers as such, else up to 3 significant decimals.
std::string number_label(double v) {
  const long long whole = std::llround(v);
  if (whole >= 10'000'000 && whole % 1'000'000 == 0) return fmt::format("{}M", whole / 1'000'000);
  if (whole >= 10'000 && whole % 1000 == 0) return fmt::format("{}k", whole / 1000);
  if (std::fabs(v - std::round(v)) < 1e-9) return fmt::format("{}", whole);
  std::string s = fmt::format("{:.3f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

struct Frame {
  double left, top, right, bottom;  // plot area in viewBox units
  double x_min, x_max, y_max;
  bool log_y = false;
  double log_lo = 0, log_hi = 1;  // log_y: the axis spans 10^log_lo .. 10^log_hi
  double px(double x) const {
    return x_max > x_min ? left + (x - x_min) / (x_max - x_min) * (right - left) : left;
  }
  double py(double y) const {
    if (!log_y) return bottom - y / y_max * (bottom - top);
    const double l = std::log10(std::max(y, std::pow(10.0, log_lo)));
    return bottom - (l - log_lo) / (log_hi - log_lo) * (bottom - top);
  }
};

}  // namespace

std::string svg_line_chart(const std::vector<ChartSeries>& series, const ChartOptions& o) {
  double x_min = std::numeric_limits<double>::infinity(), x_max = -x_min, y_max = 0;
  double y_min_positive = std::numeric_limits<double>::infinity();
  bool any = false;
  for (const ChartSeries& s : series) {
    for (const auto& [x, y] : s.points) {
      if (!std::isfinite(x)) continue;
      x_min = std::min(x_min, x);
      x_max = std::max(x_max, x);
      if (std::isfinite(y)) {
        y_max = std::max(y_max, y);
        if (y > 0) y_min_positive = std::min(y_min_positive, y);
        any = true;
      }
    }
  }
  if (o.x_axis == XAxis::kPercentile) {
    x_min = 0;
    x_max = 4.5;
  } else if (!any) {
    x_min = 0;
    x_max = 60;
  } else {
    x_min = std::min(0.0, x_min);
    if (x_max <= x_min) x_max = x_min + 1;
  }
  const double y_step = nice_step(y_max > 0 ? y_max : 1, 4);
  const double y_top = std::max(1.0, std::ceil((y_max > 0 ? y_max : 1) / y_step - 1e-9)) * y_step;
  const bool legend = series.size() > 1;
  Frame f{58,
          legend ? 26.0 : 10.0,
          static_cast<double>(o.width) - 14,
          static_cast<double>(o.height) - 30,
          x_min,
          x_max,
          y_top};

  std::string out = fmt::format(
      "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" "
      "role=\"img\" aria-label=\"{}\"><title>{}</title>\n",
      o.width, o.height, html_escape(o.title), html_escape(o.title));
  // Horizontal grid and y labels.
  std::vector<double> y_ticks;
  if (o.log_y && y_max > 0) {
    f.log_y = true;
    f.log_lo = std::floor(std::log10(y_min_positive) + 1e-9);
    f.log_hi = std::max(f.log_lo + 1, std::ceil(std::log10(y_max) - 1e-9));
    for (double l = f.log_lo; l <= f.log_hi + 1e-9; ++l) y_ticks.push_back(std::pow(10.0, l));
  } else {
    for (double v = 0; v <= y_top + y_step / 2; v += y_step) y_ticks.push_back(v);
  }
  for (double v : y_ticks) {
    const double y = f.py(v);
    out += fmt::format(
        "<line class=\"grid\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>"
        "<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
        f.left, y, f.right, y, f.left - 5, y + 4, number_label(v));
  }
  out += fmt::format(
      "<text class=\"unit\" x=\"4\" y=\"{:.1f}\" transform=\"rotate(-90 4 {:.1f})\" dy=\"9\" "
      "text-anchor=\"middle\">{}</text>\n",
      (f.top + f.bottom) / 2, (f.top + f.bottom) / 2, html_escape(o.y_unit));
  // Vertical grid and x labels.
  std::vector<std::pair<double, std::string>> x_ticks;
  if (o.x_axis == XAxis::kPercentile) {
    x_ticks = {{0, "0%"}, {1, "90%"}, {2, "99%"}, {3, "99.9%"}, {4, "99.99%"}, {4.5, "100%"}};
  } else {
    const double step = nice_time_step(x_max - x_min, 6);
    for (double v = std::ceil(x_min / step) * step; v <= x_max + 1e-9; v += step) {
      x_ticks.emplace_back(v, clock_label(v));
    }
  }
  for (const auto& [v, label] : x_ticks) {
    const double x = f.px(v);
    out += fmt::format(
        "<line class=\"grid\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>"
        "<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
        x, f.top, x, f.bottom, x, f.bottom + 16, html_escape(label));
  }
  out += fmt::format("<path class=\"axis\" d=\"M{:.1f} {:.1f}V{:.1f}H{:.1f}\"/>\n", f.left, f.top,
                     f.bottom, f.right);
  if (!any) {
    out += fmt::format(
        "<text class=\"nodata\" x=\"{:.1f}\" y=\"{:.1f}\" "
        "text-anchor=\"middle\">no data</text>\n",
        (f.left + f.right) / 2, (f.top + f.bottom) / 2);
  }
  // The lines: one <path> per series, a gap wherever y is NaN.
  for (std::size_t i = 0; i < series.size(); ++i) {
    std::string d;
    bool pen_down = false;
    for (const auto& [x, y] : series[i].points) {
      if (!std::isfinite(x) || !std::isfinite(y)) {
        pen_down = false;
        continue;
      }
      d += fmt::format("{}{:.1f} {:.1f}", pen_down ? "L" : "M", f.px(x),
                       f.py(f.log_y ? y : std::min(y, y_top)));
      pen_down = true;
    }
    if (!d.empty()) {
      out += fmt::format("<path class=\"line s{}\" d=\"{}\"><title>{}</title></path>\n", i % 6, d,
                         html_escape(series[i].label));
    }
  }
  if (legend) {
    double x = f.left;
    for (std::size_t i = 0; i < series.size(); ++i) {
      out += fmt::format(
          "<line class=\"line s{}\" x1=\"{:.1f}\" y1=\"10\" x2=\"{:.1f}\" y2=\"10\"/>"
          "<text class=\"legend\" x=\"{:.1f}\" y=\"14\">{}</text>\n",
          i % 6, x, x + 22, x + 27, html_escape(series[i].label));
      x += 40 + 6.5 * static_cast<double>(series[i].label.size());
    }
  }
  out += "</svg>\n";
  return out;
}

}  // namespace arrload::report
