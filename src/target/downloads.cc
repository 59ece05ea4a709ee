#include "target/downloads.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace arrload::target {
namespace {

std::string format_timeleft(double seconds) {
  const auto s = static_cast<long>(std::max(0.0, seconds));
  return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

double round2(double v) { return std::round(v * 100.0) / 100.0; }

}  // namespace

DownloadQueue::DownloadQueue(const Library& library, std::uint64_t seed, double download_seconds,
                             Clock::time_point start, std::int64_t start_unix)
    : library_(library),
      download_seconds_(download_seconds),
      start_(start),
      start_unix_(start_unix),
      base_status_(library.downloader()),
      rng_(seed ^ 0xD0A10ADULL),
      queue_(library.queue().begin(), library.queue().end()),
      history_(library.history().begin(), library.history().end()) {
  head_done_ = Clock::time_point::max();
  if (queue_.empty()) return;
  if (download_seconds_ <= 0) {
    head_start_percent_ = queue_.front().percentage;
    head_started_ = start;
    return;
  }
  std::vector<DownloadEvent> ignored;  // the first item was already downloading
  head_start_percent_ = queue_.front().percentage;
  start_head(start, &ignored);
}

// REQUIRES: mu_ held (or construction). Makes queue_.front() the downloading item from AT.
void DownloadQueue::start_head(Clock::time_point at, std::vector<DownloadEvent>* events) {
  QueueItem& head = queue_.front();
  head.status = "Downloading";
  const double full = download_seconds_ * (0.75 + 0.5 * rng_.uniform());
  const double seconds = full * (100.0 - head_start_percent_) / 100.0;
  head_started_ = at;
  head_done_ = at + std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double>(std::max(seconds, 0.001)));
  head_speed_mb_ = head.mb * (100.0 - head_start_percent_) / 100.0 / std::max(seconds, 0.001);
  events->push_back(
      DownloadEvent{"download_started", head.nzo_id, head.filename, head.cat, head.mb, "", 0, at});
}

std::vector<DownloadEvent> DownloadQueue::advance(Clock::time_point now) {
  std::vector<DownloadEvent> events;
  std::lock_guard lock(mu_);
  while (!queue_.empty() && head_done_ <= now) {
    const Clock::time_point at = head_done_;
    QueueItem done = std::move(queue_.front());
    queue_.pop_front();
    const bool failed = static_cast<int>(rng_() % 100) < kFailPercent;
    const std::uint64_t item_seed = rng_();
    HistoryItem h;
    h.nzo_id = done.nzo_id;
    h.name = done.filename;
    h.status = failed ? "Failed" : "Completed";
    h.completed =
        start_unix_ + std::chrono::duration_cast<std::chrono::seconds>(at - start_).count();
    h.bytes = static_cast<std::int64_t>(done.mb) * 1024 * 1024;
    h.category = done.cat;
    if (failed) h.fail_message = Library::failure_message(item_seed);
    events.push_back(DownloadEvent{failed ? "download_failed" : "download_completed", h.nzo_id,
                                   h.name, h.category, done.mb, h.fail_message, h.completed, at});
    history_.push_front(std::move(h));
    if (history_.size() > kHistoryCap) history_.pop_back();
    queue_.push_back(library_.new_queue_item(item_seed));
    head_start_percent_ = queue_.front().percentage;
    start_head(at, &events);
  }
  return events;
}

DownloadQueue::Clock::time_point DownloadQueue::next_change() const {
  std::lock_guard lock(mu_);
  return head_done_;
}

double DownloadQueue::head_fraction(Clock::time_point now) const {
  if (head_done_ == Clock::time_point::max() || now <= head_started_) return 0;
  if (now >= head_done_) return 1;
  return std::chrono::duration<double>(now - head_started_).count() /
         std::chrono::duration<double>(head_done_ - head_started_).count();
}

QueueView DownloadQueue::view(Clock::time_point now) const {
  QueueView out;
  out.status = base_status_;
  std::lock_guard lock(mu_);
  const bool frozen = head_done_ == Clock::time_point::max();
  const double speed = frozen ? std::strtod(base_status_.speed.c_str(), nullptr) : head_speed_mb_;
  double left_total = 0;
  for (std::size_t i = 0; i < queue_.size(); ++i) {
    QueueItem q = queue_[i];
    if (i == 0 && !frozen) {
      const double percent =
          head_start_percent_ + (100.0 - head_start_percent_) * head_fraction(now);
      q.percentage = std::floor(percent);  // SABnzbd shows whole percents
      q.mb_left = round2(q.mb * (100.0 - percent) / 100.0);
    }
    left_total += q.mb_left;
    q.timeleft = format_timeleft(speed > 0 ? left_total / speed : 0);
    out.items.push_back(std::move(q));
  }
  out.status.speed = fmt::format("{:.1f} M", speed);
  out.status.size_left = fmt::format("{:.1f} GB", left_total / 1024.0);
  return out;
}

std::vector<HistoryItem> DownloadQueue::history(std::size_t limit, std::size_t* total) const {
  std::lock_guard lock(mu_);
  *total = history_.size();
  const std::size_t n = std::min(limit, history_.size());
  return {history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(n)};
}

}  // namespace arrload::target
