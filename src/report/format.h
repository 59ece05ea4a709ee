#pragma once
// Number formatting shared by the reports.
#include <cstdint>
#include <string>
#include <string_view>

namespace arrload::report {

// A latency in microseconds as milliseconds for a report cell: two decimals below 10 ms
// (loopback latencies are sub-millisecond), whole milliseconds above, trailing zeros trimmed.
std::string ms_cell(double micros);

// Writes TEXT to PATH ("-" = standard output). Throws std::runtime_error naming the file.
void write_text_file(const std::string& path, const std::string& text);

// Locust's percentile columns, as quantiles and as their CSV header labels.
inline constexpr double kPercentiles[] = {0.5,  0.66, 0.75,  0.8,    0.9, 0.95,
                                          0.98, 0.99, 0.999, 0.9999, 1.0};
inline constexpr const char* kPercentileLabels[] = {"50%", "66%", "75%",   "80%",    "90%", "95%",
                                                    "98%", "99%", "99.9%", "99.99%", "100%"};

// TEXT with & < > " ' escaped for HTML and XML (element content and quoted attributes alike),
// and control characters other than tab and newline dropped (XML 1.0 forbids them even escaped).
std::string html_escape(std::string_view text);

}  // namespace arrload::report
