// Settings and onboarding routes, over the database:
//   GET  /api/v1/settings, /api/v1/settings/app, /api/v1/settings/{service}
//   PUT  /api/v1/settings/{service}        saves one backend's connection
//   POST /api/v1/settings/test/{service}   always 200, {success, message, details}
//   GET  /api/v1/onboarding/status, PUT /api/v1/onboarding/step
#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>
#include <boost/json/value.hpp>

#include "target/database.h"
#include "target/routes.h"

namespace arrload::target {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 5> kSteps{"welcome", "ai_setup", "service_selection",
                                                 "service_config", "complete"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_service(std::string_view name) {
  return std::find(std::begin(kServiceNames), std::end(kServiceNames), name) !=
         std::end(kServiceNames);
}

json::object settings_json(const ServiceSettings& s) {
  return {{"enabled", s.enabled},
          {"url", s.url},
          {"api_key_masked", mask_key(s.api_key)},
          {"timeout", s.timeout},
          {"status", s.enabled ? "connected" : "disconnected"},
          {"last_check", nullptr}};
}

Response all_settings(const Request&) {
  Response res;
  res.db_job = [](Database& db) {
    json::object body;
    for (std::string_view name : kServiceNames) {
      if (auto s = db.service_settings(name)) body[name] = settings_json(*s);
    }
    return json_response(200, to_json(body));
  };
  return res;
}

Response not_found_service(std::string_view service) {
  return error_response(
      404, fmt::format("Service '{}' not found. Valid services: sabnzbd, sonarr, radarr, plex",
                       service));
}

Response one_settings(const Request& req) {
  const std::string service = lower(req.param("service"));
  if (!is_service(service)) return not_found_service(service);
  Response res;
  res.db_job = [service](Database& db) {
    const std::optional<ServiceSettings> s = db.service_settings(service);
    if (!s) return not_found_service(service);
    return json_response(200, to_json(settings_json(*s)));
  };
  return res;
}

// Reads the optional number NAME (DEFAULT_VALUE when absent) in [LO, HI].
std::optional<Response> read_number(const json::object& obj, std::string_view name,
                                    double default_value, double lo, double hi, double* out) {
  *out = default_value;
  const json::value* v = obj.if_contains(name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number()) {
    return validation_error("body", name, "float_parsing", "Input should be a valid number",
                            to_json(*v));
  }
  *out = v->to_number<double>();
  if (*out < lo || *out > hi) {
    return validation_error(
        "body", name, *out < lo ? "greater_than_equal" : "less_than_equal",
        fmt::format("Input should be {} {}",
                    *out < lo ? "greater than or equal to" : "less than or equal to",
                    *out < lo ? lo : hi),
        to_json(*v));
  }
  return std::nullopt;
}

Response save_settings(const Request& req) {
  json::object obj;
  if (auto bad = read_json_object(req, &obj)) return *bad;
  ServiceSettings s;
  s.service = lower(req.param("service"));
  if (auto bad = read_string_field(req, obj, "url", &s.url)) return *bad;
  if (auto bad = read_string_field(req, obj, "api_key_or_token", &s.api_key)) return *bad;
  if (s.api_key.empty()) {
    return validation_error("body", "api_key_or_token", "string_too_short",
                            "String should have at least 1 character", "");
  }
  if (auto bad = read_number(obj, "timeout", 30.0, 1.0, 300.0, &s.timeout)) return *bad;
  if (const json::value* e = obj.if_contains("enabled"); e != nullptr && e->is_bool()) {
    s.enabled = e->get_bool();
  }
  if (!is_service(s.service)) return not_found_service(s.service);
  Response res;
  res.db_job = [s](Database& db) {
    const std::string now = iso_now();
    db.save_service_settings(s, now);
    ActivityEntry a;
    a.service = s.service;
    a.activity_type = "config_change";
    a.severity = "info";
    a.message = fmt::format("Saved {} settings", s.service);
    a.metadata = to_json(json::object{{"url", s.url}, {"enabled", s.enabled}});
    a.timestamp = now;
    a.created_at = now;
    db.add_activity(a);
    json::object body{
        {"success", true},
        {"message", fmt::format("Successfully updated and saved {} configuration", s.service)},
        {"service", s.service}};
    return json_response(200, to_json(body));
  };
  return res;
}

// Stands in for one outbound call to the given URL: a plausible URL and a key "connect".
Response test_connection(const Request& req) {
  json::object obj;
  if (auto bad = read_json_object(req, &obj)) return *bad;
  std::string url, key;
  if (auto bad = read_string_field(req, obj, "url", &url)) return *bad;
  if (auto bad = read_string_field(req, obj, "api_key_or_token", &key)) return *bad;
  double timeout = 30;
  if (auto bad = read_number(obj, "timeout", 30.0, -1e9, 1e9, &timeout)) return *bad;
  static constexpr std::pair<std::string_view, std::string_view> kVersions[] = {
      {"sabnzbd", "4.3.2"},
      {"sonarr", "4.0.9.2244"},
      {"radarr", "5.8.3.8933"},
      {"plex", "1.40.5.8854"}};
  const std::string service = lower(req.param("service"));
  json::object body{{"success", false}, {"message", ""}, {"details", nullptr}};
  for (const auto& [name, version] : kVersions) {
    if (name != service) continue;
    const bool ok = (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) &&
                    url.size() > 8 && !key.empty();
    body["success"] = ok;
    std::string title(name);
    title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
    if (name == "sabnzbd") title = "SABnzbd";
    body["message"] = ok ? fmt::format("Successfully connected to {}", title)
                         : fmt::format("Failed to connect to {}: invalid URL or API key", title);
    if (ok) body["details"] = json::object{{"version", version}};
    return json_response(200, to_json(body));
  }
  body["message"] = fmt::format("Unknown service: {}", service);
  return json_response(200, to_json(body));
}

json::array string_array(const std::vector<std::string>& items) {
  json::array out;
  for (const std::string& s : items) out.emplace_back(s);
  return out;
}

Response onboarding_status(const Request&) {
  Response res;
  res.db_job = [](Database& db) {
    const OnboardingState s = db.onboarding();
    json::object body{{"completed", s.completed},
                      {"current_step", s.current_step},
                      {"skipped_steps", string_array(s.skipped_steps)},
                      {"ai_configured", s.ai_configured},
                      {"services_configured", string_array(s.services_configured)},
                      {"banner_dismissed", s.banner_dismissed},
                      {"needs_onboarding", !s.completed && !s.banner_dismissed}};
    return json_response(200, to_json(body));
  };
  return res;
}

Response set_step(const Request& req) {
  json::object obj;
  if (auto bad = read_json_object(req, &obj)) return *bad;
  std::string step;
  if (auto bad = read_string_field(req, obj, "step", &step)) return *bad;
  if (std::find(kSteps.begin(), kSteps.end(), step) == kSteps.end()) {
    return validation_error("body", "step", "value_error",
                            "Value error, Invalid step. Must be one of: welcome, ai_setup, "
                            "service_selection, service_config, complete",
                            step);
  }
  Response res;
  res.db_job = [step](Database& db) {
    db.set_onboarding_step(step, iso_now());
    return json_response(
        200, to_json(json::object{{"success", true},
                                  {"message", fmt::format("Step updated to: {}", step)}}));
  };
  return res;
}

}  // namespace

void add_settings_routes(Router& router, TargetState&) {
  router.add("GET", "/api/v1/settings", RouteGroup::kRead, kReadDelayMs, all_settings);
  router.add("GET", "/api/v1/settings/", RouteGroup::kRead, kReadDelayMs, all_settings);
  router.add("GET", "/api/v1/settings/app", RouteGroup::kRead, kReadDelayMs, [](const Request&) {
    Response res;
    res.db_job = [](Database& db) {
      const AppSettings a = db.app_settings();
      return json_response(200, to_json(json::object{{"log_level", a.log_level},
                                                     {"timezone", a.timezone},
                                                     {"debug_mode", a.debug_mode}}));
    };
    return res;
  });
  router.add("GET", "/api/v1/settings/{service}", RouteGroup::kRead, kReadDelayMs, one_settings);
  router.add("PUT", "/api/v1/settings/{service}", RouteGroup::kWrite, kWriteDelayMs, save_settings);
  router.add("POST", "/api/v1/settings/test/{service}", RouteGroup::kRead, kOutboundDelayMs,
             test_connection);
  router.add("GET", "/api/v1/onboarding/status", RouteGroup::kRead, kReadDelayMs,
             onboarding_status);
  router.add("PUT", "/api/v1/onboarding/step", RouteGroup::kWrite, kWriteDelayMs, set_step);
}

}  // namespace arrload::target
