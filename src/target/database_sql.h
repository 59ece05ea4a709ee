#pragma once
// The database's schema and prepared statements. Internal to database*.cc.
#include "target/database.h"
#include "target/sqlite.h"

namespace arrload::target {

inline constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS content_requests (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  correlation_id TEXT NOT NULL,
  query TEXT NOT NULL,
  user_id TEXT,
  content_type TEXT NOT NULL,
  title TEXT NOT NULL,
  year INTEGER,
  quality TEXT,
  season INTEGER,
  episode INTEGER,
  confidence REAL NOT NULL,
  status TEXT NOT NULL,
  external_id TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  completed_at TEXT);
CREATE INDEX IF NOT EXISTS content_requests_correlation ON content_requests (correlation_id);
CREATE TABLE IF NOT EXISTS activity_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  service TEXT NOT NULL,
  activity_type TEXT NOT NULL,
  severity TEXT NOT NULL,
  message TEXT NOT NULL,
  correlation_id TEXT,
  metadata TEXT NOT NULL,
  timestamp TEXT NOT NULL,
  created_at TEXT NOT NULL,
  user_id TEXT);
CREATE INDEX IF NOT EXISTS activity_log_service ON activity_log (service);
CREATE TABLE IF NOT EXISTS service_settings (
  service TEXT PRIMARY KEY,
  enabled INTEGER NOT NULL,
  url TEXT NOT NULL,
  api_key TEXT NOT NULL,
  timeout REAL NOT NULL,
  updated_at TEXT);
CREATE TABLE IF NOT EXISTS app_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS onboarding_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  completed INTEGER NOT NULL,
  current_step TEXT NOT NULL,
  skipped_steps TEXT NOT NULL,
  ai_configured INTEGER NOT NULL,
  services_configured TEXT NOT NULL,
  banner_dismissed INTEGER NOT NULL,
  updated_at TEXT);
)sql";

// Column lists shared by the statement text and the row readers.
inline constexpr std::string_view kRequestColumns =
    "id, correlation_id, query, user_id, content_type, title, year, quality, season, episode, "
    "confidence, status, external_id, created_at, updated_at, completed_at";
inline constexpr std::string_view kActivityColumns =
    "id, service, activity_type, severity, message, correlation_id, metadata, timestamp, "
    "created_at, user_id";
// ?1..?3: the filters, NULL for "any".
inline constexpr std::string_view kActivityWhere =
    " WHERE (?1 IS NULL OR service = ?1) AND (?2 IS NULL OR activity_type = ?2)"
    " AND (?3 IS NULL OR severity = ?3)";

struct Database::Statements {
  explicit Statements(sqlite::Connection& db);

  sqlite::Statement begin, commit;
  sqlite::Statement insert_request, find_request, list_requests, count_requests;
  sqlite::Statement insert_activity, list_activity, count_activity;
  sqlite::Statement find_settings, save_settings, app_settings;
  sqlite::Statement onboarding, set_step;
};

}  // namespace arrload::target
