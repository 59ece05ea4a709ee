#include "monitor/memory.h"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "core/redact.h"
#include "monitor/http_get.h"
#include "monitor/preflight.h"

namespace arrload::monitor {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The position just past the label set that starts at S[0] == '{'; npos when unterminated.
// Label values are quoted and may hold '}' and escaped quotes.
std::size_t skip_labels(std::string_view s) {
  bool quoted = false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (quoted && s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      quoted = !quoted;
    } else if (!quoted && s[i] == '}') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

std::optional<double> parse_value(std::string_view token) {
  if (!token.empty() && token.front() == '+') token.remove_prefix(1);  // "+Inf"
  double value = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec != std::errc() || end != token.data() + token.size()) return std::nullopt;
  return value;
}

class PidSource : public MemorySource {
 public:
  explicit PidSource(int pid) : pid_(pid) {}
  MemoryReading read() override { return read_pid_rss(pid_); }
  std::string description() const override { return fmt::format("pid {}", pid_); }

 private:
  int pid_;
};

class MetricsSource : public MemorySource {
 public:
  MetricsSource(std::string url, std::chrono::milliseconds timeout)
      : url_(std::move(url)), timeout_(timeout) {}
  MemoryReading read() override {
    HttpGetResult r = http_get(url_, timeout_);
    MemoryReading out;
    if (r.error == core::NetError::kTimeout) {
      out.error = "timed out after " + format_timeout(timeout_);
    } else if (r.error != core::NetError::kNone) {
      out.error = fmt::format("{} ({})", core::to_string(r.error), r.error_detail);
    } else if (r.status != 200) {
      out.error = fmt::format("status {} from {}", r.status, core::redact(url_));
    } else {
      out = parse_rss_metric(r.body);
    }
    return out;
  }
  std::string description() const override { return core::redact(url_); }

 private:
  std::string url_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

std::optional<double> find_metric_value(std::string_view text, std::string_view name) {
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = trim(text.substr(0, eol));
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (line.empty() || line.front() == '#' || line.substr(0, name.size()) != name) continue;
    std::string_view rest = line.substr(name.size());
    if (!rest.empty() && rest.front() == '{') {
      const std::size_t end = skip_labels(rest);
      if (end == std::string_view::npos) continue;
      rest.remove_prefix(end);
    } else if (rest.empty() || (rest.front() != ' ' && rest.front() != '\t')) {
      continue;  // a longer name with NAME as its prefix
    }
    rest = trim(rest);
    return parse_value(rest.substr(0, rest.find_first_of(" \t")));  // a timestamp may follow
  }
  return std::nullopt;
}

MemoryReading parse_rss_metric(std::string_view text) {
  MemoryReading out;
  std::optional<double> value = find_metric_value(text, "process_resident_memory_bytes");
  if (!value) {
    out.error = "no process_resident_memory_bytes sample in the metrics";
  } else if (!std::isfinite(*value) || *value < 0) {
    out.error = fmt::format("process_resident_memory_bytes is {}", *value);
  } else {
    out.ok = true;
    out.rss_bytes = static_cast<std::uint64_t>(std::llround(*value));
  }
  return out;
}

MemoryReading read_pid_rss(int pid) {
  MemoryReading out;
  std::ifstream statm(fmt::format("/proc/{}/statm", pid));
  std::uint64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) {
    out.error = fmt::format("process {} has exited (no /proc/{}/statm)", pid, pid);
  } else if (resident_pages == 0) {
    out.error = fmt::format("process {} has no resident memory (exited?)", pid);
  } else {
    out.ok = true;
    out.rss_bytes = resident_pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  }
  return out;
}

std::unique_ptr<MemorySource> make_pid_source(int pid) {
  std::error_code ec;
  if (pid <= 0 || !std::filesystem::exists(fmt::format("/proc/{}/statm", pid), ec)) {
    throw std::invalid_argument(fmt::format("target pid {}: no such process", pid));
  }
  return std::make_unique<PidSource>(pid);
}

std::unique_ptr<MemorySource> make_metrics_source(const std::string& url,
                                                  std::chrono::milliseconds timeout) {
  if (!is_valid_url(url)) throw std::invalid_argument(fmt::format("invalid URL '{}'", url));
  return std::make_unique<MetricsSource>(url, timeout);
}

}  // namespace arrload::monitor
