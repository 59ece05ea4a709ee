#pragma once
// The SABnzbd download queue, moving with wall time: the first item downloads, completes (or,
// now and then, fails), moves to the front of the history, and a new item joins the end of the
// queue, so the queue keeps its length. Deterministic from the seed given the elapsed time.
// Thread-safe (one mutex): the routes read it from any I/O thread while the server's download
// ticker (server.cc) advances it and broadcasts the events.
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "core/rng.h"
#include "target/library.h"

namespace arrload::target {

// A change of the queue, for the /api/v1/ws events and the activity log.
struct DownloadEvent {
  std::string type;  // "download_started", "download_completed" or "download_failed"
  std::string nzo_id;
  std::string name;  // the release name
  std::string category;
  double mb = 0;                             // the item's size
  std::string fail_message;                  // download_failed only
  std::int64_t completed = 0;                // Unix seconds; completed and failed only
  std::chrono::steady_clock::time_point at;  // when it happened
};

// The queue as GET /api/v1/downloads/queue and /status show it.
struct QueueView {
  std::vector<QueueItem> items;  // the head "Downloading" with its progress, then the rest
  DownloaderStatus status;       // speed is the head's, size_left the sum of mb_left
};

class DownloadQueue {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kHistoryCap = 500;  // the oldest history entries drop off
  static constexpr int kFailPercent = 10;          // how many completions are failures

  // Starts from LIBRARY's queue and history at START (Unix time START_UNIX). Each item takes
  // DOWNLOAD_SECONDS x uniform(0.75, 1.25) once it is first in the queue (the initial first item
  // only the part it has left); DOWNLOAD_SECONDS <= 0 freezes the queue. LIBRARY must outlive
  // this object.
  DownloadQueue(const Library& library, std::uint64_t seed, double download_seconds,
                Clock::time_point start, std::int64_t start_unix);

  // Applies every change due by NOW, in order, and returns them.
  std::vector<DownloadEvent> advance(Clock::time_point now);
  // When the next change is due (time_point::max() when frozen).
  Clock::time_point next_change() const;

  // The queue at NOW (the head's progress interpolated; changes not yet advanced to are not
  // applied: the head then shows 100%).
  QueueView view(Clock::time_point now) const;
  // Up to LIMIT history entries, newest first, and the total held.
  std::vector<HistoryItem> history(std::size_t limit, std::size_t* total) const;

 private:
  void start_head(Clock::time_point at, std::vector<DownloadEvent>* events);  // REQUIRES: mu_
  double head_fraction(Clock::time_point now) const;                          // REQUIRES: mu_

  const Library& library_;
  const double download_seconds_;
  const Clock::time_point start_;
  const std::int64_t start_unix_;
  const DownloaderStatus base_status_;

  mutable std::mutex mu_;
  core::Rng rng_;                    // guarded by mu_
  std::deque<QueueItem> queue_;      // guarded by mu_
  std::deque<HistoryItem> history_;  // guarded by mu_; newest first
  double head_start_percent_ = 0;    // guarded by mu_; the head's percentage when it started
  Clock::time_point head_started_;   // guarded by mu_
  Clock::time_point head_done_;      // guarded by mu_; max() when frozen
  double head_speed_mb_ = 0;         // guarded by mu_; MB/s
};

}  // namespace arrload::target
