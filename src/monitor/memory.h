#pragma once
// Target memory sampling: where the target's resident memory is read from (its /proc entry on
// this machine, or its Prometheus /metrics), and a sampler that reads it once a second on its own
// thread for the whole run, for the leak detector (leak.h) and PREFIX_target_memory.csv.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "monitor/memory_sample.h"

namespace arrload::monitor {

struct MemoryReading {
  bool ok = false;
  std::uint64_t rss_bytes = 0;  // when ok
  std::string error;            // when !ok: one line ("process 123 has exited", "status 404")
};

// Where RSS comes from. read() is called from the sampler's thread only.
class MemorySource {
 public:
  virtual ~MemorySource() = default;
  // One reading; blocking but bounded (a metrics request has a timeout). Never throws.
  virtual MemoryReading read() = 0;
  // "pid 1234", "http://127.0.0.1:8088/metrics": for messages and reports.
  virtual std::string description() const = 0;
};

// --target-pid PID: reads /proc/PID/statm (resident pages x page size). Throws
// std::invalid_argument ("target pid 123: no such process") when PID is not a running process.
std::unique_ptr<MemorySource> make_pid_source(int pid);

// --target-metrics URL: GETs URL (a full URL, "http://host:port/metrics") with TIMEOUT per
// reading and takes process_resident_memory_bytes from the Prometheus text. Throws
// std::invalid_argument ("invalid URL 'x'") when URL does not parse; a target that does not answer
// is not checked here (readings fail, the pre-flight check reports it).
std::unique_ptr<MemorySource> make_metrics_source(
    const std::string& url, std::chrono::milliseconds timeout = std::chrono::milliseconds(900));

// The value of the first sample of metric NAME in Prometheus text exposition format TEXT:
// comments (# HELP, # TYPE, others) and blank lines are skipped, labels ({a="b"}) and a trailing
// timestamp are allowed, values like 1.23e+08, NaN and +Inf parse. nullopt when NAME has no
// sample or its value does not parse. NAME must match whole ("x" does not match "x_total").
std::optional<double> find_metric_value(std::string_view text, std::string_view name);

// RSS from /metrics text: process_resident_memory_bytes, which must be finite and >= 0.
MemoryReading parse_rss_metric(std::string_view text);

// RSS of process PID from /proc/PID/statm.
MemoryReading read_pid_rss(int pid);

// Samples a MemorySource every INTERVAL on its own thread from start() to stop(). Failed
// readings are recorded as !ok samples and never stop the sampling. Thread-safe.
class MemorySampler {
 public:
  // SOURCE must not be null; INTERVAL > 0 (1 s in a run; tests use less).
  explicit MemorySampler(std::unique_ptr<MemorySource> source,
                         std::chrono::milliseconds interval = std::chrono::seconds(1));
  ~MemorySampler();  // stop()s
  MemorySampler(const MemorySampler&) = delete;
  MemorySampler& operator=(const MemorySampler&) = delete;

  // Starts the thread; the first reading is taken at once, then one per INTERVAL on a fixed
  // schedule (a reading that overruns skips the ticks it missed). MemorySample::t_seconds counts
  // from this call: start the sampler when the load starts. REQUIRES: called once.
  void start();
  // Stops and joins the thread; idempotent. Waits for a reading in progress (bounded by the
  // source's timeout), never for the next tick.
  void stop();

  std::vector<MemorySample> samples() const;  // a copy, in time order
  // The newest successful reading; none before the first (copies one sample, not the list).
  std::optional<MemorySample> latest() const;
  int failures() const;            // readings that failed
  std::string last_error() const;  // the latest failed reading's error ("" if none)
  const MemorySource& source() const { return *source_; }

  // Writes samples() to PATH as CSV (memory_csv()); false with *ERROR set when it cannot.
  bool write_csv(const std::string& path, std::string* error = nullptr) const;

 private:
  void run();

  std::unique_ptr<MemorySource> source_;
  const std::chrono::milliseconds interval_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;              // guarded by mu_
  std::vector<MemorySample> samples_;  // guarded by mu_
  int failures_ = 0;                   // guarded by mu_
  std::string last_error_;             // guarded by mu_
  std::thread thread_;
};

// The CSV text: header "Timestamp,Elapsed Seconds,RSS Bytes,RSS MiB", then one row per sample:
// Unix seconds (integer, as Locust's _stats_history.csv), seconds since the start (3 decimals),
// bytes, MiB (2 decimals); a failed reading has "N/A" in both RSS columns (pandas reads NaN).
std::string memory_csv(const std::vector<MemorySample>& samples);

// PREFIX + "_target_memory.csv", beside Locust's PREFIX_stats.csv.
std::string target_memory_csv_path(const std::string& prefix);

}  // namespace arrload::monitor
