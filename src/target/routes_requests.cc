// Content request routes: POST /api/v1/requests/content, GET /api/v1/requests (paged) and
// GET /api/v1/requests/{id}/status, over the database.
#include <fmt/format.h>
#include <boost/json/value.hpp>

#include "target/database.h"
#include "target/routes.h"

namespace arrload::target {
namespace {

namespace json = boost::json;

json::value optional_json(const std::optional<int>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object classification_json(const Classification& c) {
  return {{"content_type", c.content_type},
          {"title", c.title},
          {"year", optional_json(c.year)},
          {"quality", c.quality ? json::value(*c.quality) : json::value(nullptr)},
          {"season", optional_json(c.season)},
          {"episode", optional_json(c.episode)},
          {"confidence", c.confidence}};
}

json::object created_json(const ContentRequest& r) {
  return {{"id", r.id},
          {"correlation_id", r.correlation_id},
          {"query", r.query},
          {"classification", classification_json(r.classification)},
          {"status", r.status},
          {"search_results", nullptr},
          {"created_at", r.created_at}};
}

json::value optional_text(const std::optional<std::string>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object status_json(const ContentRequest& r) {
  return {{"id", r.id},
          {"correlation_id", r.correlation_id},
          {"query", r.query},
          {"status", r.status},
          {"external_id", optional_text(r.external_id)},
          {"created_at", r.created_at},
          {"updated_at", r.updated_at},
          {"completed_at", optional_text(r.completed_at)}};
}

// The activity entry the real service logs for a new request.
ActivityEntry requested_activity(const ContentRequest& r) {
  ActivityEntry a;
  a.service = r.classification.content_type == "tv" ? "sonarr" : "radarr";
  a.activity_type = "content_requested";
  a.severity = "info";
  a.message = fmt::format("Content requested: {}", r.classification.title);
  a.correlation_id = r.correlation_id;
  a.metadata = to_json(json::object{
      {"request_id", r.id}, {"content_type", r.classification.content_type}, {"query", r.query}});
  a.timestamp = r.created_at;
  a.created_at = r.created_at;
  a.user_id = r.user_id;
  return a;
}

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// FastAPI validates the body against the model before the handler runs: a missing or non-string
// query is a 422; the handler itself rejects an empty one with 400.
Response create(Hub& events, const Request& req) {
  json::object obj;
  if (auto bad = read_json_object(req, &obj)) return *bad;
  const json::value* query = obj.if_contains("query");
  if (query == nullptr) {
    return validation_error("body", "query", "missing", "Field required", req.body);
  }
  if (!query->is_string()) {
    return validation_error("body", "query", "string_type", "Input should be a valid string",
                            to_json(*query));
  }
  const json::string& text = query->get_string();
  if (is_blank(text)) return error_response(400, "Query cannot be empty");
  std::optional<std::string> user_id;
  if (const json::value* u = obj.if_contains("user_id"); u != nullptr && u->is_string()) {
    user_id = std::string(u->get_string());
  }
  Response res;
  res.db_job = [query = std::string(text), user_id = std::move(user_id), &events](Database& db) {
    const ContentRequest item = db.add_request(query, user_id, iso_now());
    db.add_activity(requested_activity(item));
    if (events.has_clients()) {
      events.publish(make_event(
          "content_requested", item.correlation_id,
          json::object{
              {"id", item.id}, {"correlation_id", item.correlation_id}, {"query", item.query}},
          "api"));
    }
    return json_response(201, to_json(created_json(item)));
  };
  return res;
}

Response status(const Request& req) {
  const std::optional<long long> id = parse_int(req.param("id"));
  if (!id) {
    return validation_error("path", "id", "int_parsing",
                            "Input should be a valid integer, unable to parse string as an integer",
                            req.param("id"));
  }
  Response res;
  res.db_job = [id = *id](Database& db) {
    const std::optional<ContentRequest> item = db.find_request(id);
    if (!item) return error_response(404, "Request not found");
    return json_response(200, to_json(status_json(*item)));
  };
  return res;
}

Response list(const Request& req) {
  Paging paging;
  if (auto bad = read_paging(req, 10, 100, &paging)) return *bad;
  Response res;
  res.db_job = [paging](Database& db) {
    json::array items;
    for (const ContentRequest& r : db.list_requests(paging.offset(), paging.page_size)) {
      items.push_back(status_json(r));
    }
    json::object body{{"requests", std::move(items)},
                      {"total", db.count_requests()},
                      {"page", paging.page},
                      {"page_size", paging.page_size}};
    return json_response(200, to_json(body));
  };
  return res;
}

}  // namespace

void add_request_routes(Router& router, TargetState& state) {
  Hub& events = state.events;
  router.add("POST", "/api/v1/requests/content", RouteGroup::kWrite, kWriteDelayMs,
             [&events](const Request& req) { return create(events, req); });
  router.add("GET", "/api/v1/requests", RouteGroup::kRead, kReadDelayMs, list);
  router.add("GET", "/api/v1/requests/{id}/status", RouteGroup::kRead, kReadDelayMs, status);
}

}  // namespace arrload::target
