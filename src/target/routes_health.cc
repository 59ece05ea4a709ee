// Health routes: GET /health, /ping, /health/ready, /health/live, /health/{service}.
#include <array>
#include <string_view>

#include <boost/json/value.hpp>

#include "target/routes.h"

namespace arrload::target {
namespace {

struct ServiceHealth {
  std::string_view name;
  double latency_ms;  // what the real service reports for its last check of this backend
};

constexpr std::array<ServiceHealth, 4> kServices{
    {{"sabnzbd", 12.4}, {"sonarr", 23.1}, {"radarr", 19.7}, {"plex", 31.5}}};

boost::json::object service_health(const ServiceHealth& s, const std::string& now) {
  boost::json::object o;
  o["healthy"] = true;
  o["latency_ms"] = s.latency_ms;
  o["error"] = nullptr;
  o["last_check"] = now;
  o["circuit_breaker_state"] = "closed";
  return o;
}

Response overall_health(const Request&) {
  const std::string now = iso_now();
  boost::json::object services;
  for (const ServiceHealth& s : kServices) services[s.name] = service_health(s, now);
  boost::json::object body;
  body["status"] = "healthy";
  body["services"] = std::move(services);
  body["timestamp"] = now;
  return json_response(200, to_json(body));
}

Response one_service(const Request& req) {
  const std::string_view name = req.param("service");
  for (const ServiceHealth& s : kServices) {
    if (s.name == name) return json_response(200, to_json(service_health(s, iso_now())));
  }
  return error_response(400, "Invalid service name. Must be one of: sabnzbd, sonarr, radarr, plex");
}

}  // namespace

void add_health_routes(Router& router, TargetState& state) {
  router.add("GET", "/health", RouteGroup::kHealth, kHealthDelayMs, overall_health);
  router.add("GET", "/ping", RouteGroup::kHealth, kHealthDelayMs,
             [](const Request&) { return json_response(200, R"({"message":"pong"})"); });
  const Faults& faults = state.faults;
  router.add("GET", "/health/ready", RouteGroup::kHealth, kHealthDelayMs,
             [&faults](const Request&) {
               if (faults.warming_up())
                 return error_response(503, "Application is still warming up");
               boost::json::object body;
               body["ready"] = true;
               body["warmup_complete"] = true;
               body["warmup_timestamp"] = faults.warmup_done_at();
               return json_response(200, to_json(body));
             });
  router.add("GET", "/health/live", RouteGroup::kHealth, kHealthDelayMs, [](const Request&) {
    boost::json::object body;
    body["alive"] = true;
    body["timestamp"] = iso_now();
    return json_response(200, to_json(body));
  });
  router.add("GET", "/health/{service}", RouteGroup::kHealth, kReadDelayMs, one_service);
}

}  // namespace arrload::target
