// Activity and log routes: GET /api/v1/activity (paged through the database) and
// GET /api/v1/logs (the in-memory ring of the target's own request log).
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "target/database.h"
#include "target/routes.h"

namespace arrload::target {
namespace {

namespace json = boost::json;

json::value optional_text(const std::optional<std::string>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object activity_json(const ActivityEntry& a) {
  boost::system::error_code ec;
  json::value metadata = json::parse(a.metadata, ec);
  if (ec) metadata = json::object();
  return {{"id", a.id},
          {"service", a.service},
          {"activity_type", a.activity_type},
          {"severity", a.severity},
          {"message", a.message},
          {"correlation_id", optional_text(a.correlation_id)},
          {"metadata", std::move(metadata)},
          {"timestamp", a.timestamp},
          {"created_at", a.created_at},
          {"user_id", optional_text(a.user_id)}};
}

Response activity(const Request& req) {
  Paging paging;
  if (auto bad = read_paging(req, 50, 100, &paging)) return *bad;
  const ActivityFilter filter{req.query_param("service"), req.query_param("activity_type"),
                              req.query_param("severity")};
  Response res;
  res.db_job = [paging, filter](Database& db) {
    json::array items;
    for (const ActivityEntry& a : db.list_activity(filter, paging.offset(), paging.page_size)) {
      items.push_back(activity_json(a));
    }
    const long long total = db.count_activity(filter);
    const long long pages = (total + paging.page_size - 1) / paging.page_size;
    json::object body{{"items", std::move(items)},      {"page", paging.page},
                      {"page_size", paging.page_size},  {"total_items", total},
                      {"total_pages", pages},           {"has_next", paging.page < pages},
                      {"has_previous", paging.page > 1}};
    return json_response(200, to_json(body));
  };
  return res;
}

Response logs(const LogBuffer& buffer, const Request& req) {
  long long limit = 100;
  if (auto bad = read_int_query(req, "limit", 100, 1, 500, &limit)) return *bad;
  const std::vector<LogEntry> entries = buffer.recent(
      static_cast<std::size_t>(limit), req.query_param("level"), req.query_param("search"));
  json::array items;
  for (const LogEntry& e : entries) {
    items.push_back({{"timestamp", e.timestamp},
                     {"level", e.level},
                     {"logger_name", e.logger_name},
                     {"message", e.message},
                     {"request_id", e.request_id}});
  }
  json::object body{{"logs", std::move(items)},
                    {"total_in_buffer", buffer.size()},
                    {"returned_count", entries.size()}};
  return json_response(200, to_json(body));
}

}  // namespace

void add_activity_routes(Router& router, TargetState& state) {
  router.add("GET", "/api/v1/activity", RouteGroup::kRead, kReadDelayMs, activity);
  const LogBuffer& buffer = state.logs;
  router.add("GET", "/api/v1/logs", RouteGroup::kRead, kReadDelayMs,
             [&buffer](const Request& req) { return logs(buffer, req); });
}

}  // namespace arrload::target
