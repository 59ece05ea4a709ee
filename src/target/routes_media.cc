// Media routes (the Plex stand-in): GET /api/v1/media/libraries and
// GET /api/v1/media/recently-added?limit=20, answered from the generated library.
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <boost/json/value.hpp>

#include "target/routes.h"

namespace arrload::target {
namespace {

namespace json = boost::json;

constexpr std::int64_t kLibraryEpoch = 1'717'000'000;  // the library's fixed "now" (Unix s)
constexpr int kRecentItems = 100;

json::array libraries(const Library& lib) {
  int episodes = 0;
  for (const Show& s : lib.shows()) episodes += s.episode_count;
  json::array out;
  const auto add = [&out](int key, std::string_view title, std::string_view type, int count,
                          std::string_view agent, std::string_view scanner) {
    out.push_back({{"key", std::to_string(key)},
                   {"title", title},
                   {"type", type},
                   {"count", count},
                   {"agent", agent},
                   {"scanner", scanner},
                   {"language", "en-US"},
                   {"updated_at", kLibraryEpoch - std::int64_t{key} * 3600}});
  };
  add(1, "Movies", "movie", static_cast<int>(lib.movies().size()), "tv.plex.agents.movie",
      "Plex Movie");
  add(2, "TV Shows", "show", static_cast<int>(lib.shows().size()), "tv.plex.agents.series",
      "Plex TV Series");
  add(3, "Music", "artist", 1200 + episodes % 500, "tv.plex.agents.music", "Plex Music");
  add(4, "Home Videos", "movie", 40 + episodes % 60, "tv.plex.agents.none", "Plex Video Files");
  return out;
}

// Newest first: movies that have a file and episodes of monitored shows, interleaved.
std::vector<json::object> recently_added(const Library& lib) {
  std::vector<json::object> out;
  std::int64_t when = kLibraryEpoch;
  auto movie = lib.movies().rbegin();
  auto show = lib.shows().rbegin();
  while (static_cast<int>(out.size()) < kRecentItems &&
         (movie != lib.movies().rend() || show != lib.shows().rend())) {
    when -= 1800 + static_cast<std::int64_t>(out.size() % 7) * 600;
    if (out.size() % 2 == 0 && movie != lib.movies().rend()) {
      const Movie& m = *movie++;
      if (!m.has_file) continue;
      out.push_back({{"rating_key", std::to_string(10000 + m.id)},
                     {"title", m.title},
                     {"type", "movie"},
                     {"year", m.year},
                     {"added_at", when},
                     {"library_section_id", "1"},
                     {"duration", 5'400'000 + (m.id % 40) * 60'000},
                     {"thumb", fmt::format("/library/metadata/{}/thumb/{}", 10000 + m.id, when)}});
    } else if (show != lib.shows().rend()) {
      const Show& s = *show++;
      const Season& season = s.seasons.back();
      out.push_back({{"rating_key", std::to_string(50000 + s.id)},
                     {"title", fmt::format("Episode {}", season.episode_count)},
                     {"grandparent_title", s.title},
                     {"type", "episode"},
                     {"parent_index", season.season_number},
                     {"index", season.episode_count},
                     {"year", s.year},
                     {"added_at", when},
                     {"library_section_id", "2"},
                     {"duration", 2'700'000},
                     {"thumb", fmt::format("/library/metadata/{}/thumb/{}", 50000 + s.id, when)}});
    } else {
      ++movie;  // only movies left, and this slot was a show's
    }
  }
  return out;
}

Response recent(const std::vector<json::object>& items, const Request& req) {
  long long limit = 20;
  // AutoArr declares a plain int: anything that parses is accepted; <= 0 returns nothing.
  constexpr long long kAny = 1'000'000'000;
  if (auto bad = read_int_query(req, "limit", 20, -kAny, kAny, &limit)) return *bad;
  json::array out;
  for (const json::object& item : items) {
    if (static_cast<long long>(out.size()) >= limit) break;
    out.push_back(item);
  }
  const std::size_t total = out.size();
  return json_response(200, to_json(json::object{{"items", std::move(out)}, {"total", total}}));
}

}  // namespace

void add_media_routes(Router& router, TargetState& state) {
  json::array libs = libraries(state.library);
  const std::size_t count = libs.size();
  const std::string libraries_body =
      to_json(json::object{{"libraries", std::move(libs)}, {"total", count}});
  router.add("GET", "/api/v1/media/libraries", RouteGroup::kRead, kReadDelayMs,
             [libraries_body](const Request&) { return json_response(200, libraries_body); });
  auto items = std::make_shared<const std::vector<json::object>>(recently_added(state.library));
  router.add("GET", "/api/v1/media/recently-added", RouteGroup::kRead, kReadDelayMs,
             [items](const Request& req) { return recent(*items, req); });
}

}  // namespace arrload::target
