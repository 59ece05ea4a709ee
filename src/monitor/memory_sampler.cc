// MemorySampler and the target-memory CSV (memory.h).
#include <cmath>
#include <fstream>
#include <utility>

#include <fmt/format.h>

#include "core/clock.h"
#include "core/output_file.h"
#include "monitor/memory.h"

namespace arrload::monitor {

MemorySampler::MemorySampler(std::unique_ptr<MemorySource> source,
                             std::chrono::milliseconds interval)
    : source_(std::move(source)), interval_(interval) {}

MemorySampler::~MemorySampler() { stop(); }

void MemorySampler::start() {
  thread_ = std::thread([this] { run(); });
}

void MemorySampler::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

// Ticks on a fixed schedule from the start, so the samples stay one interval apart on average
// even though each reading takes time; a reading longer than the interval skips missed ticks
// instead of bunching up readings to catch up.
void MemorySampler::run() {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  Clock::time_point next = start;
  while (true) {
    MemorySample sample;
    sample.t_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    sample.unix_seconds = core::wall_unix_seconds();
    MemoryReading reading = source_->read();
    sample.ok = reading.ok;
    sample.rss_bytes = reading.ok ? reading.rss_bytes : 0;
    std::unique_lock lock(mu_);
    samples_.push_back(sample);
    if (!reading.ok) {
      ++failures_;
      last_error_ = std::move(reading.error);
    }
    const Clock::time_point now = Clock::now();
    while (next <= now) next += interval_;
    if (wake_.wait_until(lock, next, [this] { return stopping_; })) return;
  }
}

std::vector<MemorySample> MemorySampler::samples() const {
  std::lock_guard lock(mu_);
  return samples_;
}

std::optional<MemorySample> MemorySampler::latest() const {
  std::lock_guard lock(mu_);
  for (auto it = samples_.rbegin(); it != samples_.rend(); ++it) {
    if (it->ok) return *it;
  }
  return std::nullopt;
}

int MemorySampler::failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

std::string MemorySampler::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

bool MemorySampler::write_csv(const std::string& path, std::string* error) const {
  const std::string text = memory_csv(samples());
  std::string why;
  std::FILE* f = core::open_output_file(path, /*append=*/false, &why);
  bool ok = f != nullptr && std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = f != nullptr && std::fclose(f) == 0 && ok;
  if (!ok) {
    if (error != nullptr) *error = fmt::format("cannot write {}", f == nullptr ? why : path);
    return false;
  }
  return true;
}

std::string memory_csv(const std::vector<MemorySample>& samples) {
  std::string out = "Timestamp,Elapsed Seconds,RSS Bytes,RSS MiB\n";
  for (const MemorySample& s : samples) {
    const auto timestamp = static_cast<long long>(std::floor(s.unix_seconds));
    if (s.ok) {
      fmt::format_to(std::back_inserter(out), "{},{:.3f},{},{:.2f}\n", timestamp, s.t_seconds,
                     s.rss_bytes, static_cast<double>(s.rss_bytes) / (1024.0 * 1024.0));
    } else {
      fmt::format_to(std::back_inserter(out), "{},{:.3f},N/A,N/A\n", timestamp, s.t_seconds);
    }
  }
  return out;
}

std::string target_memory_csv_path(const std::string& prefix) {
  return prefix + "_target_memory.csv";
}

}  // namespace arrload::monitor
