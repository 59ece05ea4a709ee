#pragma once
// The target's own request log, as AutoArr keeps it for GET /api/v1/logs: the newest 1,000
// entries in a ring, two per request (start and completion). Thread-safe (one mutex; each
// call holds it for a copy or two).
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace arrload::target {

struct LogEntry {
  std::string timestamp;  // ISO time
  std::string level;      // "INFO", "WARNING" or "ERROR"
  std::string logger_name;
  std::string message;
  std::string request_id;  // the X-Request-ID of the request it is about
};

class LogBuffer {
 public:
  static constexpr std::size_t kCapacity = 1000;

  // Where new entries are streamed to (the logs stream; ws_session.cc).
  class Sink {
   public:
    virtual ~Sink() = default;
    // Whether anyone listens now; when not, add() copies nothing. Any thread, cheap.
    virtual bool wanted() const = 0;
    // Called with each entry added while wanted() and its sequence number (1, 2, ...), on the
    // thread that added it, outside the buffer's lock.
    virtual void on_entry(const LogEntry& entry, std::uint64_t seq) = 0;
  };

  // SINK (may be null) must outlive the buffer's use. REQUIRES: before the buffer is shared
  // between threads.
  void set_sink(Sink* sink) { sink_ = sink; }

  void add(LogEntry entry);
  // Up to LIMIT entries, newest first, keeping those whose level is LEVEL (case-insensitive;
  // any when nullopt) and whose message contains SEARCH (case-insensitive; any when nullopt).
  std::vector<LogEntry> recent(std::size_t limit, const std::optional<std::string>& level,
                               const std::optional<std::string>& search) const;
  std::size_t size() const;  // entries held, <= kCapacity
  // Up to LIMIT newest entries, newest first, unfiltered; *NEWEST_SEQ gets the sequence number
  // of the newest entry added so far (0 when none).
  std::vector<LogEntry> newest(std::size_t limit, std::uint64_t* newest_seq) const;

 private:
  mutable std::mutex mu_;
  std::vector<LogEntry> ring_;  // guarded by mu_; ring_[next_ - 1] is the newest
  std::size_t next_ = 0;        // guarded by mu_; where the next entry goes once full
  std::uint64_t added_ = 0;     // guarded by mu_; entries ever added
  Sink* sink_ = nullptr;
};

}  // namespace arrload::target
