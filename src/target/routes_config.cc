// Configuration audit routes, over the in-memory AuditStore, rate-limited per client IP as
// AutoArr limits them:
//   POST /api/v1/config/audit               20/min; slow (latency_model.h)
//   POST /api/v1/config/apply               20/min
//   GET  /api/v1/config/recommendations     100/min; paged
//   GET  /api/v1/config/audit/history       100/min; paged
#include <algorithm>

#include <fmt/format.h>
#include <boost/json/value.hpp>

#include "target/database.h"
#include "target/latency_model.h"
#include "target/rate_limiter.h"
#include "target/routes.h"

namespace arrload::target {
namespace {

namespace json = boost::json;

json::value optional_text(const std::optional<std::string>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object recommendation_json(const Recommendation& r) {
  return {{"id", r.id},
          {"service", r.service},
          {"category", r.category},
          {"priority", r.priority},
          {"title", r.title},
          {"description", r.description},
          {"current_value", optional_text(r.current_value)},
          {"recommended_value", r.recommended_value},
          {"impact", r.impact},
          {"source", optional_text(r.source)},
          {"applied", r.applied},
          {"applied_at", optional_text(r.applied_at)}};
}

json::array string_array(const std::vector<std::string>& items) {
  json::array out;
  for (const std::string& s : items) out.emplace_back(s);
  return out;
}

// Reads the optional boolean NAME (false when absent).
std::optional<Response> read_bool(const json::object& obj, std::string_view name, bool* out) {
  *out = false;
  const json::value* v = obj.if_contains(name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_bool()) {
    return validation_error("body", name, "bool_parsing", "Input should be a valid boolean",
                            to_json(*v));
  }
  *out = v->get_bool();
  return std::nullopt;
}

// The non-empty JSON array NAME; the 422 when missing, not a list, or empty.
std::optional<Response> read_list(const Request& req, const json::object& obj,
                                  std::string_view name, const json::array** out) {
  const json::value* v = obj.if_contains(name);
  if (v == nullptr) return validation_error("body", name, "missing", "Field required", req.body);
  if (!v->is_array()) {
    return validation_error("body", name, "list_type", "Input should be a valid list", to_json(*v));
  }
  if (v->get_array().empty()) {
    return validation_error("body", name, "too_short",
                            "List should have at least 1 item after validation, not 0", "[]");
  }
  *out = &v->get_array();
  return std::nullopt;
}

Response audit(AuditStore& store, Hub& events, const Request& req) {
  json::object obj;
  if (auto bad = read_json_object(req, &obj)) return *bad;
  const json::array* list = nullptr;
  if (auto bad = read_list(req, obj, "services", &list)) return *bad;
  bool web_search = false;
  if (auto bad = read_bool(obj, "include_web_search", &web_search)) return *bad;
  std::vector<std::string> services;
  for (const json::value& item : *list) {
    if (!item.is_string()) {
      return validation_error("body", "services", "string_type", "Input should be a valid string",
                              to_json(item));
    }
    const std::string name(item.get_string());
    if (std::find(std::begin(kServiceNames), std::end(kServiceNames), name) ==
        std::end(kServiceNames)) {
      return error_response(
          400,
          fmt::format("Invalid service: {}. Must be one of: sabnzbd, sonarr, radarr, plex", name));
    }
    if (std::find(services.begin(), services.end(), name) == services.end()) {
      services.push_back(name);
    }
  }
  auto [run, found] = store.run_audit(services, web_search, iso_now());
  if (events.has_clients()) {
    events.publish(make_event("config_audit_started", run.audit_id,
                              json::object{{"audit_id", run.audit_id},
                                           {"services", string_array(run.services)},
                                           {"include_web_search", web_search}},
                              "config_manager"));
  }
  json::array recs;
  for (const Recommendation& r : found) recs.push_back(recommendation_json(r));
  json::object body{{"audit_id", run.audit_id},
                    {"timestamp", run.timestamp},
                    {"services", string_array(run.services)},
                    {"recommendations", std::move(recs)},
                    {"total_recommendations", found.size()},
                    {"web_search_used", web_search}};
  Response res;
  res.model_delay_ms = audit_latency_ms(static_cast<int>(services.size()), web_search);
  // The completion event goes out when the modelled audit is over, just before the answer.
  res.on_ready = [&events, id = run.audit_id, services = run.services, n = found.size()] {
    if (!events.has_clients()) return;
    events.publish(make_event(
        "config_audit_completed", id,
        json::object{
            {"audit_id", id}, {"services", string_array(services)}, {"total_recommendations", n}},
        "config_manager"));
  };
  // The audit is logged as activity; the answer waits for that write, as in the real service.
  res.db_job = [text = to_json(body), run = std::move(run), n = found.size()](Database& db) {
    ActivityEntry a;
    a.service = "autoarr";
    a.activity_type = "config_audit";
    a.severity = "info";
    a.message = fmt::format("Configuration audit {} found {} recommendations", run.audit_id, n);
    a.correlation_id = run.audit_id;
    a.metadata = to_json(json::object{{"services", string_array(run.services)}});
    a.timestamp = run.timestamp;
    a.created_at = iso_now();
    db.add_activity(a);
    return json_response(200, text);
  };
  return res;
}

Response apply(AuditStore& store, const Request& req) {
  json::object obj;
  if (auto bad = read_json_object(req, &obj)) return *bad;
  const json::array* list = nullptr;
  if (auto bad = read_list(req, obj, "recommendation_ids", &list)) return *bad;
  bool dry_run = false;
  if (auto bad = read_bool(obj, "dry_run", &dry_run)) return *bad;
  std::vector<long long> ids;
  for (const json::value& item : *list) {
    if (!item.is_int64()) {
      return validation_error("body", "recommendation_ids", "int_type",
                              "Input should be a valid integer", to_json(item));
    }
    ids.push_back(item.get_int64());
  }
  json::array results;
  int ok = 0;
  for (const ApplyResult& r : store.apply(ids, dry_run, iso_now())) {
    ok += r.success;
    results.push_back({{"recommendation_id", r.recommendation_id},
                       {"success", r.success},
                       {"message", r.message},
                       {"service", optional_text(r.service)},
                       {"applied_at", optional_text(r.applied_at)},
                       {"dry_run", r.dry_run}});
  }
  json::object body{{"results", std::move(results)},
                    {"total_requested", ids.size()},
                    {"total_successful", ok},
                    {"total_failed", static_cast<int>(ids.size()) - ok},
                    {"dry_run", dry_run}};
  return json_response(200, to_json(body));
}

Response recommendations(const AuditStore& store, const Request& req) {
  Paging paging;
  if (auto bad = read_paging(req, 10, 100, &paging)) return *bad;
  const RecommendationFilter filter{req.query_param("service"), req.query_param("priority"),
                                    req.query_param("category")};
  long long total = 0;
  json::array items;
  for (const Recommendation& r :
       store.recommendations(filter, paging.offset(), paging.page_size, &total)) {
    items.push_back(recommendation_json(r));
  }
  json::object body{{"recommendations", std::move(items)},
                    {"total", total},
                    {"page", paging.page},
                    {"page_size", paging.page_size}};
  return json_response(200, to_json(body));
}

Response history(const AuditStore& store, const Request& req) {
  Paging paging;
  if (auto bad = read_paging(req, 10, 100, &paging)) return *bad;
  long long total = 0;
  json::array items;
  for (const AuditSummary& s : store.history(paging.offset(), paging.page_size, &total)) {
    items.push_back({{"audit_id", s.audit.audit_id},
                     {"timestamp", s.audit.timestamp},
                     {"services", string_array(s.audit.services)},
                     {"total_recommendations", s.audit.recommendation_ids.size()},
                     {"applied_recommendations", s.applied_recommendations},
                     {"web_search_used", s.audit.web_search_used}});
  }
  json::object body{{"audits", std::move(items)},
                    {"total", total},
                    {"page", paging.page},
                    {"page_size", paging.page_size}};
  return json_response(200, to_json(body));
}

}  // namespace

void add_config_routes(Router& router, TargetState& state) {
  AuditStore& store = state.audits;
  Hub& events = state.events;
  router.add("POST", "/api/v1/config/audit", RouteGroup::kSlow, kWriteDelayMs,
             rate_limited(
                 20, [&store, &events](const Request& req) { return audit(store, events, req); }));
  router.add("POST", "/api/v1/config/apply", RouteGroup::kWrite, kWriteDelayMs,
             rate_limited(20, [&store](const Request& req) { return apply(store, req); }));
  router.add(
      "GET", "/api/v1/config/recommendations", RouteGroup::kRead, kReadDelayMs,
      rate_limited(100, [&store](const Request& req) { return recommendations(store, req); }));
  router.add("GET", "/api/v1/config/audit/history", RouteGroup::kRead, kReadDelayMs,
             rate_limited(100, [&store](const Request& req) { return history(store, req); }));
}

}  // namespace arrload::target
