// Library routes: shows and movies (Sonarr/Radarr stand-ins) and downloads (SABnzbd). Shows and
// movies never change, so their bodies are serialized once when the routes are added; the
// download queue moves (downloads.h), so its routes serialize a view of it per request.
#include <memory>
#include <vector>

#include <boost/json/value.hpp>

#include "target/routes.h"

namespace arrload::target {
namespace {

namespace json = boost::json;

json::object show_summary(const Show& s) {
  return {{"id", s.id},
          {"title", s.title},
          {"year", s.year},
          {"tvdb_id", s.tvdb_id},
          {"monitored", s.monitored},
          {"status", s.status},
          {"seasons", s.seasons.size()},
          {"episode_count", s.episode_count}};
}

json::object show_detail(const Show& s) {
  json::object o = show_summary(s);
  json::array seasons;
  for (const Season& season : s.seasons) {
    seasons.push_back({{"season_number", season.season_number},
                       {"episode_count", season.episode_count},
                       {"monitored", season.monitored}});
  }
  o["seasons"] = std::move(seasons);
  return o;
}

json::object movie_json(const Movie& m) {
  return {{"id", m.id},           {"title", m.title},         {"year", m.year},
          {"tmdb_id", m.tmdb_id}, {"monitored", m.monitored}, {"has_file", m.has_file},
          {"status", m.status}};
}

json::object queue_json(const QueueView& view) {
  json::array items;
  for (const QueueItem& q : view.items) {
    items.push_back({{"nzo_id", q.nzo_id},
                     {"filename", q.filename},
                     {"status", q.status},
                     {"percentage", q.percentage},
                     {"mb_left", q.mb_left},
                     {"mb", q.mb},
                     {"timeleft", q.timeleft},
                     {"cat", q.cat}});
  }
  const DownloaderStatus& d = view.status;
  return {{"queue", std::move(items)},
          {"speed", d.speed},
          {"size_left", d.size_left},
          {"paused", d.paused}};
}

json::object history_item(const HistoryItem& h) {
  json::object o{{"nzo_id", h.nzo_id},
                 {"name", h.name},
                 {"status", h.status},
                 {"completed", h.completed},
                 {"bytes", h.bytes},
                 {"category", h.category},
                 {"fail_message", h.fail_message}};
  return o;
}

// A GET /{collection}/{id} handler over bodies serialized in advance (index = id - 1).
Handler by_id(std::vector<std::string> bodies, std::string_view not_found) {
  auto shared = std::make_shared<const std::vector<std::string>>(std::move(bodies));
  return [shared, not_found = std::string(not_found)](const Request& req) {
    const std::optional<long long> id = parse_int(req.param("id"));
    if (!id) {
      return validation_error("path", "id", "int_parsing",
                              "Input should be a valid integer, unable to parse string as an "
                              "integer",
                              req.param("id"));
    }
    if (*id < 1 || *id > static_cast<long long>(shared->size())) {
      return error_response(404, not_found);
    }
    return json_response(200, (*shared)[static_cast<std::size_t>(*id - 1)]);
  };
}

Handler constant(std::string body) {
  return [body = std::move(body)](const Request&) { return json_response(200, body); };
}

Response history(const DownloadQueue& downloads, const Request& req) {
  long long limit = 50;
  if (auto bad = read_int_query(req, "limit", 50, 1, 1000, &limit)) return *bad;
  std::size_t total = 0;
  json::array items;
  for (const HistoryItem& h : downloads.history(static_cast<std::size_t>(limit), &total)) {
    items.push_back(history_item(h));
  }
  json::object body{{"history", std::move(items)}, {"total", total}};
  return json_response(200, to_json(body));
}

Response downloader_status(const DownloadQueue& downloads) {
  const DownloaderStatus d = downloads.view(DownloadQueue::Clock::now()).status;
  return json_response(200, to_json(json::object{{"version", d.version},
                                                 {"paused", d.paused},
                                                 {"speed", d.speed},
                                                 {"disk_free", d.disk_free_gb}}));
}

}  // namespace

void add_library_routes(Router& router, TargetState& state) {
  const Library& lib = state.library;
  json::array series;
  std::vector<std::string> show_bodies;
  for (const Show& s : lib.shows()) {
    series.push_back(show_summary(s));
    show_bodies.push_back(to_json(show_detail(s)));
  }
  json::array movies;
  std::vector<std::string> movie_bodies;
  for (const Movie& m : lib.movies()) {
    movies.push_back(movie_json(m));
    movie_bodies.push_back(to_json(movies.back()));
  }
  const std::size_t show_count = series.size();
  const std::size_t movie_count = movies.size();
  const DownloadQueue& downloads = state.downloads;

  router.add("GET", "/api/v1/shows/", RouteGroup::kRead, kReadDelayMs,
             constant(to_json(json::object{{"series", std::move(series)}, {"total", show_count}})));
  router.add("GET", "/api/v1/shows/{id}", RouteGroup::kRead, kReadDelayMs,
             by_id(std::move(show_bodies), "Series not found"));
  router.add(
      "GET", "/api/v1/movies/", RouteGroup::kRead, kReadDelayMs,
      constant(to_json(json::object{{"movies", std::move(movies)}, {"total", movie_count}})));
  router.add("GET", "/api/v1/movies/{id}", RouteGroup::kRead, kReadDelayMs,
             by_id(std::move(movie_bodies), "Movie not found"));
  router.add("GET", "/api/v1/downloads/queue", RouteGroup::kRead, kReadDelayMs,
             [&downloads](const Request&) {
               return json_response(
                   200, to_json(queue_json(downloads.view(DownloadQueue::Clock::now()))));
             });
  router.add("GET", "/api/v1/downloads/status", RouteGroup::kRead, kReadDelayMs,
             [&downloads](const Request&) { return downloader_status(downloads); });
  router.add("GET", "/api/v1/downloads/history", RouteGroup::kRead, kReadDelayMs,
             [&downloads](const Request& req) { return history(downloads, req); });
}

}  // namespace arrload::target
