// POST /api/v1/chat/message: the LLM assistant, stood in for by keyword rules, answered after a
// latency drawn from chat_latency() (p50 1.5 s, p95 3 s, p99 5 s before latency_scale).
#include <array>
#include <cctype>

#include <fmt/format.h>
#include <boost/json/value.hpp>

#include "target/classifier.h"
#include "target/latency_model.h"
#include "target/routes.h"

namespace arrload::target {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxMessage = 2000;

struct Topic {
  std::string_view keyword;  // in the lower-cased message
  std::string_view topic;
  std::string_view service;  // "" when no backend is needed
  std::string_view answer;
};

constexpr std::array<Topic, 6> kTopics{{
    {"sabnzbd", "downloads", "sabnzbd",
     "SABnzbd handles your Usenet downloads. Check the queue on the Downloads page; a slow queue "
     "usually means too few server connections or a full disk."},
    {"download", "downloads", "sabnzbd",
     "Your downloads run through SABnzbd. Failed downloads are retried automatically with an "
     "alternative release."},
    {"sonarr", "tv_shows", "sonarr",
     "Sonarr manages your TV shows: it watches RSS feeds and grabs new episodes as they air."},
    {"radarr", "movies", "radarr",
     "Radarr manages your movies: it searches for releases that match your quality profile."},
    {"plex", "media_server", "plex",
     "Plex serves your library. New files appear after the next library scan."},
    {"config", "configuration", "",
     "Run a configuration audit from the Settings page to get recommendations for every "
     "connected service."},
}};

bool wants_content(const std::string& lower) {
  for (std::string_view verb : {"add ", "download ", "get me", "request", "i want", "find "}) {
    if (lower.find(verb) != std::string::npos) return true;
  }
  return false;
}

json::object reply(std::string_view message) {
  std::string lower(message);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (wants_content(lower)) {
    const Classification c = classify(message.substr(0, 256));
    const std::string_view service = c.content_type == "tv" ? "sonarr" : "radarr";
    return {{"message", fmt::format("I can request \"{}\" for you. Shall I add it to {}?", c.title,
                                    service == "sonarr" ? "Sonarr" : "Radarr")},
            {"topic", "content_request"},
            {"intent", "request_content"},
            {"sources", json::array{}},
            {"suggestions", json::array{"Yes, add it", "Show similar titles", "Cancel"}},
            {"confidence", c.confidence},
            {"is_content_request", true},
            {"service_required", service},
            {"setup_link", nullptr}};
  }
  for (const Topic& t : kTopics) {
    if (lower.find(t.keyword) == std::string::npos) continue;
    return {
        {"message", t.answer},
        {"topic", t.topic},
        {"intent", "question"},
        {"sources", json::array{fmt::format("https://wiki.servarr.com/{}", t.topic)}},
        {"suggestions", json::array{"Run a configuration audit", "Show recent activity"}},
        {"confidence", 0.82},
        {"is_content_request", false},
        {"service_required", t.service.empty() ? json::value(nullptr) : json::value(t.service)},
        {"setup_link", t.service.empty() ? json::value(nullptr)
                                         : json::value(fmt::format("/settings#{}", t.service))}};
  }
  return {
      {"message",
       "I can help with your media stack: request movies and shows, check downloads, or "
       "audit the configuration of SABnzbd, Sonarr, Radarr and Plex."},
      {"topic", "general"},
      {"intent", "general_question"},
      {"sources", json::array{}},
      {"suggestions", json::array{"Add a movie", "What is downloading?", "Audit my configuration"}},
      {"confidence", 0.65},
      {"is_content_request", false},
      {"service_required", nullptr},
      {"setup_link", nullptr}};
}

Response chat(const Request& req) {
  json::object obj;
  if (auto bad = read_json_object(req, &obj)) return *bad;
  std::string message;
  if (auto bad = read_string_field(req, obj, "message", &message)) return *bad;
  const std::size_t length = utf8_length(message);
  if (length < 1) {
    return validation_error("body", "message", "string_too_short",
                            "String should have at least 1 character", message);
  }
  if (length > kMaxMessage) {
    return validation_error("body", "message", "string_too_long",
                            fmt::format("String should have at most {} characters", kMaxMessage),
                            message);
  }
  Response res = json_response(200, to_json(reply(message)));
  res.model_delay_ms = chat_latency().draw();
  return res;
}

}  // namespace

void add_chat_routes(Router& router, TargetState&) {
  // The base cost is for rejected messages: validation comes before the LLM.
  router.add("POST", "/api/v1/chat/message", RouteGroup::kSlow, kReadDelayMs, chat);
}

}  // namespace arrload::target
