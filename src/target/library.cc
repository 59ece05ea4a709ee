#include "target/library.h"

#include <array>
#include <cmath>
#include <string_view>
#include <unordered_set>

#include <fmt/format.h>

#include "core/rng.h"

namespace arrload::target {
namespace {

// Draws with explicit arithmetic on core::Rng: <random>'s distributions differ between standard
// libraries, and the library must be the same for a seed everywhere.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : rng_(seed) {}
  std::uint64_t next() { return rng_(); }
  int range(int lo, int hi) {  // inclusive
    return lo + static_cast<int>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  bool chance(int percent) { return range(1, 100) <= percent; }
  double unit() { return rng_.uniform(); }
  template <std::size_t N>
  std::string_view pick(const std::array<std::string_view, N>& words) {
    return words[next() % N];
  }

 private:
  core::Rng rng_;
};

constexpr std::array<std::string_view, 32> kAdjectives{
    "Silent",  "Broken",   "Crimson", "Hidden", "Last",    "Golden",   "Midnight",  "Northern",
    "Savage",  "Electric", "Frozen",  "Lost",   "Iron",    "Burning",  "Velvet",    "Hollow",
    "Wild",    "Quiet",    "Dark",    "Bright", "Endless", "Fallen",   "Secret",    "Distant",
    "Scarlet", "Little",   "Hungry",  "Bitter", "Gentle",  "Restless", "Shattered", "Paper"};
constexpr std::array<std::string_view, 32> kNouns{
    "Kingdom", "Signal",  "Harbor",   "Empire",  "Orchard",  "Protocol", "Frontier", "Garden",
    "Machine", "Witness", "Horizon",  "Station", "Covenant", "River",    "Crown",    "Archive",
    "Lantern", "Tide",    "Circuit",  "Dynasty", "Mirror",   "Colony",   "Forest",   "Voyage",
    "Engine",  "Season",  "Republic", "Citadel", "Hours",    "Storm",    "Vow",      "Echo"};
constexpr std::array<std::string_view, 16> kPlaces{
    "Avalon",       "Brooklyn",  "the North",   "Marrow Bay", "Eden Falls", "the Valley",
    "Hollow Creek", "Neon City", "Saltmarsh",   "the Deep",   "Ashford",    "Blackwater",
    "Port Royal",   "the Moon",  "Kingsbridge", "Cedar Cove"};
constexpr std::array<std::string_view, 16> kNames{
    "Harper", "Sullivan", "Mercer",   "Delgado", "Okafor",    "Lindqvist", "Moreau",   "Nakamura",
    "Quinn",  "Castillo", "Whitaker", "Novak",   "Abernathy", "Reyes",     "Halloran", "Ivanova"};
constexpr std::array<std::string_view, 6> kReleaseTags{
    "1080p.WEB-DL.x264-NTb",    "2160p.WEB.h265-GLHF",        "720p.HDTV.x264-SYNC",
    "1080p.BluRay.x264-SPARKS", "2160p.BluRay.x265-TERMINAL", "1080p.AMZN.WEB-DL.DDP5.1-FLUX"};
constexpr std::array<std::string_view, 3> kFailures{
    "Unpacking failed, CRC error", "Out of retention", "Aborted, cannot be completed"};

// Words are drawn into locals first: the order in which function arguments are evaluated is
// unspecified, and the library must be the same whatever the compiler.
std::string make_title(Rng& rng) {
  const int pattern = rng.range(0, 5);
  const std::string_view adjective = rng.pick(kAdjectives);
  const std::string_view noun = rng.pick(kNouns);
  const std::string_view place = rng.pick(kPlaces);
  const std::string_view name = rng.pick(kNames);
  const std::string_view other_name = rng.pick(kNames);
  switch (pattern) {
    case 0:
      return fmt::format("The {}", noun);
    case 1:
      return fmt::format("{} {}", adjective, noun);
    case 2:
      return fmt::format("The {} {}", adjective, noun);
    case 3:
      return fmt::format("{} of {}", noun, place);
    case 4:
      return fmt::format("{}'s {}", name, noun);
    default:
      return fmt::format("{} & {}", name, other_name);
  }
}

// Titles repeat in real libraries only as remakes; keep them unique so lookups by title work.
std::string unique_title(Rng& rng, std::unordered_set<std::string>& used) {
  std::string title = make_title(rng);
  for (int n = 2; !used.insert(title).second; ++n) {
    title = make_title(rng);
    if (n > 8) title += fmt::format(" {}", n);
  }
  return title;
}

// "The Silent Kingdom" -> "The.Silent.Kingdom" for release names.
std::string dotted(std::string_view title) {
  std::string out;
  for (char c : title) {
    if (c == ' ') {
      out.push_back('.');
    } else if (c != '\'' && c != '&') {
      out.push_back(c);
    }
  }
  std::string collapsed;
  for (char c : out) {
    if (c != '.' || collapsed.empty() || collapsed.back() != '.') collapsed.push_back(c);
  }
  return collapsed;
}

std::string nzo_id(Rng& rng) {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id = "SABnzbd_nzo_";
  for (int i = 0; i < 8; ++i) id.push_back(kAlphabet[rng.next() % kAlphabet.size()]);
  return id;
}

Show make_show(Rng& rng, int id, std::unordered_set<std::string>& used) {
  Show s;
  s.id = id;
  s.title = unique_title(rng, used);
  s.year = rng.range(1990, 2024);
  s.tvdb_id = 70000 + id * 1000 + rng.range(0, 999);
  s.monitored = rng.chance(85);
  const int status = rng.range(1, 100);
  s.status = status <= 45 ? "continuing" : status <= 95 ? "ended" : "upcoming";
  const int seasons = s.status == "upcoming" ? 1 : rng.range(1, 12);
  for (int n = 1; n <= seasons; ++n) {
    Season season{n, rng.range(6, 24), s.monitored && rng.chance(90)};
    s.episode_count += season.episode_count;
    s.seasons.push_back(season);
  }
  return s;
}

Movie make_movie(Rng& rng, int id, std::unordered_set<std::string>& used) {
  Movie m;
  m.id = id;
  m.title = unique_title(rng, used);
  m.year = rng.range(1970, 2025);
  m.tmdb_id = 1000 + id * 2000 + rng.range(0, 1999);
  m.monitored = rng.chance(85);
  const int status = rng.range(1, 100);
  m.status = status <= 90 ? "released" : status <= 96 ? "inCinemas" : "announced";
  m.has_file = m.status == "released" && rng.chance(75);
  return m;
}

std::string release_name(Rng& rng, const std::vector<Show>& shows, const std::vector<Movie>& movies,
                         bool tv) {
  if (tv && !shows.empty()) {
    const Show& s = shows[rng.next() % shows.size()];
    const int season = rng.range(1, 8);
    const int episode = rng.range(1, 22);
    return fmt::format("{}.S{:02}E{:02}.{}", dotted(s.title), season, episode,
                       rng.pick(kReleaseTags));
  }
  if (movies.empty()) return "Unknown.Release";
  const Movie& m = movies[rng.next() % movies.size()];
  return fmt::format("{}.{}.{}", dotted(m.title), m.year, rng.pick(kReleaseTags));
}

}  // namespace

Library::Library(std::uint64_t seed, LibrarySizes sizes) {
  Rng rng(seed);
  std::unordered_set<std::string> used;
  for (int id = 1; id <= sizes.shows; ++id) shows_.push_back(make_show(rng, id, used));
  for (int id = 1; id <= sizes.movies; ++id) movies_.push_back(make_movie(rng, id, used));

  const double speed_mb = 2.0 + rng.unit() * 40.0;
  double left_total = 0;
  for (int i = 0; i < sizes.queue; ++i) {
    QueueItem q;
    const bool tv = rng.chance(60);
    q.nzo_id = nzo_id(rng);
    q.filename = release_name(rng, shows_, movies_, tv);
    q.status = i == 0 ? "Downloading" : rng.chance(15) ? "Paused" : "Queued";
    q.mb = static_cast<double>(rng.range(350, 24000));
    q.percentage = i == 0 ? rng.range(1, 99) : 0;
    q.mb_left = std::round(q.mb * (100.0 - q.percentage)) / 100.0;  // 2 decimals, as SABnzbd
    left_total += q.mb_left;
    const auto seconds = static_cast<long>(left_total / speed_mb);
    q.timeleft = fmt::format("{}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
    q.cat = tv ? "tv" : "movies";
    queue_.push_back(std::move(q));
  }
  downloader_ = DownloaderStatus{"4.3.2", false, fmt::format("{:.1f} M", speed_mb),
                                 fmt::format("{:.1f} GB", left_total / 1024.0),
                                 200.0 + rng.range(0, 18000) / 10.0};

  std::int64_t when = 1'717'000'000;  // fixed, so the history is the same on every run
  for (int i = 0; i < sizes.history; ++i) {
    HistoryItem h;
    const bool tv = rng.chance(60);
    h.nzo_id = nzo_id(rng);
    h.name = release_name(rng, shows_, movies_, tv);
    const bool failed = rng.chance(8);
    h.status = failed ? "Failed" : "Completed";
    when -= rng.range(300, 6 * 3600);
    h.completed = when;
    h.bytes = static_cast<std::int64_t>(rng.range(350, 24000)) * 1024 * 1024;
    h.category = tv ? "tv" : "movies";
    if (failed) h.fail_message = std::string(rng.pick(kFailures));
    history_.push_back(std::move(h));
  }
}

QueueItem Library::new_queue_item(std::uint64_t draw_seed) const {
  Rng rng(draw_seed);
  QueueItem q;
  const bool tv = rng.chance(60);
  q.nzo_id = nzo_id(rng);
  q.filename = release_name(rng, shows_, movies_, tv);
  q.status = "Queued";
  q.mb = static_cast<double>(rng.range(350, 4000));
  q.mb_left = q.mb;
  q.timeleft = "0:00:00";
  q.cat = tv ? "tv" : "movies";
  return q;
}

std::string Library::failure_message(std::uint64_t draw_seed) {
  Rng rng(draw_seed);
  return std::string(rng.pick(kFailures));
}

const Show* Library::find_show(long long id) const {
  if (id < 1 || id > static_cast<long long>(shows_.size())) return nullptr;
  return &shows_[static_cast<std::size_t>(id - 1)];
}

const Movie* Library::find_movie(long long id) const {
  if (id < 1 || id > static_cast<long long>(movies_.size())) return nullptr;
  return &movies_[static_cast<std::size_t>(id - 1)];
}

}  // namespace arrload::target
