// The Database's settings and onboarding tables.
#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "target/database.h"
#include "target/database_sql.h"

namespace arrload::target {
namespace {

struct ServiceDefault {
  std::string_view service;
  std::string_view url;
};

constexpr ServiceDefault kDefaults[] = {{"sabnzbd", "http://localhost:8080"},
                                        {"sonarr", "http://localhost:8989"},
                                        {"radarr", "http://localhost:7878"},
                                        {"plex", "http://localhost:32400"}};

std::vector<std::string> string_list(const std::string& json_text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(json_text, ec);
  if (ec || !v.is_array()) return out;
  for (const boost::json::value& item : v.get_array()) {
    if (item.is_string()) out.emplace_back(item.get_string());
  }
  return out;
}

}  // namespace

void Database::insert_defaults() {
  begin();
  sqlite::Statement settings(db_,
                             "INSERT OR IGNORE INTO service_settings "
                             "(service, enabled, url, api_key, timeout) VALUES (?, 1, ?, ?, 30.0)");
  for (const ServiceDefault& d : kDefaults) {
    const std::string key = fmt::format("{:016x}{:016x}", rng_(), rng_());
    settings.bind(1, d.service).bind(2, d.url).bind(3, key).run();
  }
  db_.exec(
      "INSERT OR IGNORE INTO app_settings (key, value) VALUES ('log_level', 'INFO'), "
      "('timezone', 'UTC'), ('debug_mode', 'false');"
      "INSERT OR IGNORE INTO onboarding_state (id, completed, current_step, skipped_steps, "
      "ai_configured, services_configured, banner_dismissed) "
      "VALUES (1, 0, 'welcome', '[]', 0, '[]', 0);");
  commit();
  // Requests made in an earlier run of a kept database must not repeat their correlation ids.
  const long long existing = count_requests();
  if (existing > 0) rng_.seed(rng_() ^ static_cast<std::uint64_t>(existing));
}

std::optional<ServiceSettings> Database::service_settings(std::string_view service) {
  sqlite::Statement& s = st_->find_settings;
  s.bind(1, service);
  if (!s.step()) return std::nullopt;
  ServiceSettings out;
  out.service = s.column_text(0);
  out.enabled = s.column_int(1) != 0;
  out.url = s.column_text(2);
  out.api_key = s.column_text(3);
  out.timeout = s.column_double(4);
  while (s.step()) {
  }
  return out;
}

void Database::save_service_settings(const ServiceSettings& settings, const std::string& now) {
  sqlite::Statement& s = st_->save_settings;
  s.bind(1, settings.service).bind(2, settings.enabled ? 1 : 0).bind(3, settings.url);
  s.bind(4, settings.api_key).bind(5, settings.timeout).bind(6, now);
  s.run();
}

AppSettings Database::app_settings() {
  AppSettings out;
  sqlite::Statement& s = st_->app_settings;
  while (s.step()) {
    const std::string key = s.column_text(0);
    const std::string value = s.column_text(1);
    if (key == "log_level") out.log_level = value;
    if (key == "timezone") out.timezone = value;
    if (key == "debug_mode") out.debug_mode = value == "true";
  }
  return out;
}

OnboardingState Database::onboarding() {
  OnboardingState out;
  sqlite::Statement& s = st_->onboarding;
  while (s.step()) {
    out.completed = s.column_int(0) != 0;
    out.current_step = s.column_text(1);
    out.skipped_steps = string_list(s.column_text(2));
    out.ai_configured = s.column_int(3) != 0;
    out.services_configured = string_list(s.column_text(4));
    out.banner_dismissed = s.column_int(5) != 0;
  }
  return out;
}

void Database::set_onboarding_step(std::string_view step, const std::string& now) {
  st_->set_step.bind(1, step).bind(2, now).run();
}

}  // namespace arrload::target
