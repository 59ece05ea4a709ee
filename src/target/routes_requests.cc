// Content request routes: POST /api/v1/requests/content and GET /api/v1/requests/{id}/status.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

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

json::object status_json(const ContentRequest& r) {
  return {{"id", r.id},
          {"correlation_id", r.correlation_id},
          {"query", r.query},
          {"status", r.status},
          {"external_id", nullptr},
          {"created_at", r.created_at},
          {"updated_at", r.updated_at},
          {"completed_at", nullptr}};
}

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// FastAPI validates the body against the model before the handler runs: a missing or non-string
// query is a 422; the handler itself rejects an empty one with 400.
Response create(RequestStore& store, const Request& req) {
  boost::system::error_code ec;
  const json::value body = json::parse(req.body, ec);
  if (ec) return validation_error("body", "0", "json_invalid", "JSON decode error", req.body);
  const json::object* obj = body.if_object();
  const json::value* query = obj != nullptr ? obj->if_contains("query") : nullptr;
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
  if (const json::value* u = obj->if_contains("user_id"); u != nullptr && u->is_string()) {
    user_id = std::string(u->get_string());
  }
  const ContentRequest item = store.add(std::string(text), std::move(user_id), iso_now());
  return json_response(201, to_json(created_json(item)));
}

Response status(const RequestStore& store, const Request& req) {
  const std::optional<long long> id = parse_int(req.param("id"));
  if (!id) {
    return validation_error("path", "id", "int_parsing",
                            "Input should be a valid integer, unable to parse string as an integer",
                            req.param("id"));
  }
  const std::optional<ContentRequest> item = store.find(*id);
  if (!item) return error_response(404, "Request not found");
  return json_response(200, to_json(status_json(*item)));
}

}  // namespace

void add_request_routes(Router& router, TargetState& state) {
  RequestStore& store = state.requests;
  router.add("POST", "/api/v1/requests/content", kWriteDelayMs,
             [&store](const Request& req) { return create(store, req); });
  router.add("GET", "/api/v1/requests/{id}/status", kReadDelayMs,
             [&store](const Request& req) { return status(store, req); });
}

}  // namespace arrload::target
