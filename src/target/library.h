#pragma once
// The target's fake media library: shows, movies, a SABnzbd download queue and its history,
// generated deterministically from a seed (the same seed gives the same library on every
// platform). Immutable after construction, so any thread may read it without locking.
#include <cstdint>
#include <string>
#include <vector>

namespace arrload::target {

struct Season {
  int season_number = 0;
  int episode_count = 0;
  bool monitored = true;
};

struct Show {
  int id = 0;  // 1..shows, in order
  std::string title;
  int year = 0;
  int tvdb_id = 0;
  bool monitored = true;
  std::string status;  // "continuing", "ended" or "upcoming"
  std::vector<Season> seasons;
  int episode_count = 0;  // over all seasons
};

struct Movie {
  int id = 0;  // 1..movies, in order
  std::string title;
  int year = 0;
  int tmdb_id = 0;
  bool monitored = true;
  bool has_file = false;
  std::string status;  // "released", "inCinemas" or "announced"
};

struct QueueItem {
  std::string nzo_id;    // "SABnzbd_nzo_xxxxxxxx"
  std::string filename;  // a scene-style release name
  std::string status;    // "Downloading", "Queued" or "Paused"
  double percentage = 0;
  double mb_left = 0;
  double mb = 0;
  std::string timeleft;  // "h:mm:ss"
  std::string cat;       // "tv" or "movies"
};

struct HistoryItem {
  std::string nzo_id;
  std::string name;
  std::string status;          // "Completed" or "Failed"
  std::int64_t completed = 0;  // Unix seconds
  std::int64_t bytes = 0;
  std::string category;
  std::string fail_message;  // "" unless Failed
};

// The downloader's summary figures, in SABnzbd's formats.
struct DownloaderStatus {
  std::string version;  // "4.3.2"
  bool paused = false;
  std::string speed;      // "4.2 M" (MB/s)
  std::string size_left;  // "12.3 GB"
  double disk_free_gb = 0;
};

// How many of each item a Library generates.
struct LibrarySizes {
  int shows = 240;
  int movies = 360;
  int queue = 12;
  int history = 120;
};

class Library {
 public:
  explicit Library(std::uint64_t seed, LibrarySizes sizes = {});

  const std::vector<Show>& shows() const { return shows_; }
  const std::vector<Movie>& movies() const { return movies_; }
  const std::vector<QueueItem>& queue() const { return queue_; }
  const std::vector<HistoryItem>& history() const { return history_; }  // newest first
  const DownloaderStatus& downloader() const { return downloader_; }

  // A new "Queued" item for the download queue (downloads.h), drawn from DRAW_SEED alone: a
  // release of one of the library's shows or movies, 350..4000 MB.
  QueueItem new_queue_item(std::uint64_t draw_seed) const;
  // One of SABnzbd's failure messages, drawn from DRAW_SEED.
  static std::string failure_message(std::uint64_t draw_seed);

  // The item with ID, or null.
  const Show* find_show(long long id) const;
  const Movie* find_movie(long long id) const;

 private:
  std::vector<Show> shows_;
  std::vector<Movie> movies_;
  std::vector<QueueItem> queue_;
  std::vector<HistoryItem> history_;
  DownloaderStatus downloader_;
};

}  // namespace arrload::target
