#pragma once
// The target's SQLite database: content requests, the activity log, service and app settings,
// and the onboarding state, in real tables, as the real service keeps them.
//
// Thread-safety: none. After construction, one thread at a time uses a Database; in the server
// that is the database thread (db_worker.h), which also wraps batches of calls in transactions.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"
#include "target/classifier.h"
#include "target/sqlite.h"

namespace arrload::target {

struct ContentRequest {
  long long id = 0;            // 1, 2, ... in order of creation
  std::string correlation_id;  // "req_" + 12 hex digits
  std::string query;
  std::optional<std::string> user_id;
  Classification classification;
  std::string status;  // "submitted"
  std::optional<std::string> external_id;
  std::string created_at;  // ISO time
  std::string updated_at;
  std::optional<std::string> completed_at;
};

struct ActivityEntry {
  long long id = 0;           // assigned by the database
  std::string service;        // "sabnzbd", "sonarr", "radarr", "plex" or "autoarr"
  std::string activity_type;  // "download_completed", "content_requested", ...
  std::string severity;       // "info", "warning" or "error"
  std::string message;
  std::optional<std::string> correlation_id;
  std::string metadata = "{}";  // a JSON object, as text
  std::string timestamp;        // ISO time of the event
  std::string created_at;       // ISO time of the insert
  std::optional<std::string> user_id;
};

// Optional equality filters of GET /api/v1/activity.
struct ActivityFilter {
  std::optional<std::string> service;
  std::optional<std::string> activity_type;
  std::optional<std::string> severity;
};

// One backend's connection settings (the four in kServiceNames).
struct ServiceSettings {
  std::string service;
  bool enabled = true;
  std::string url;
  std::string api_key;    // in clear; the routes mask it
  double timeout = 30.0;  // seconds
};

struct AppSettings {
  std::string log_level = "INFO";
  std::string timezone = "UTC";
  bool debug_mode = false;
};

struct OnboardingState {
  bool completed = false;
  std::string current_step = "welcome";
  std::vector<std::string> skipped_steps;
  bool ai_configured = false;
  std::vector<std::string> services_configured;
  bool banner_dismissed = false;
};

// The backends AutoArr talks to, in its order.
inline constexpr std::string_view kServiceNames[] = {"sabnzbd", "sonarr", "radarr", "plex"};

class Database {
 public:
  // Opens the database at PATH: "" creates a temporary file (under $TMPDIR or /tmp) that the
  // destructor removes; ":memory:" keeps it in memory; anything else is a file, created if
  // missing and kept. Creates missing tables and the default settings rows; SEED makes the
  // generated ids and keys reproducible. Throws sqlite::DbError.
  Database(std::string path, std::uint64_t seed);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& path() const { return path_; }  // the file in use (the temporary's name)

  // Transactions, for batching many calls into one commit. REQUIRES: not nested.
  void begin();
  void commit();
  void rollback() noexcept;  // after a failed commit; never throws

  // Content requests. add_request classifies QUERY and numbers the request.
  ContentRequest add_request(std::string query, std::optional<std::string> user_id,
                             const std::string& now);
  std::optional<ContentRequest> find_request(long long id);
  // Newest first; OFFSET and LIMIT as in SQL.
  std::vector<ContentRequest> list_requests(long long offset, long long limit);
  long long count_requests();

  // The activity log. add_activity ignores ENTRY.id and returns the new one.
  long long add_activity(const ActivityEntry& entry);
  std::vector<ActivityEntry> list_activity(const ActivityFilter& filter, long long offset,
                                           long long limit);  // newest first
  long long count_activity(const ActivityFilter& filter);

  // Settings: one row per backend, created with defaults.
  std::optional<ServiceSettings> service_settings(std::string_view service);
  void save_service_settings(const ServiceSettings& settings, const std::string& now);
  AppSettings app_settings();

  // The onboarding wizard's single row.
  OnboardingState onboarding();
  void set_onboarding_step(std::string_view step, const std::string& now);

  struct Statements;  // the prepared statements (database_sql.h)

 private:
  void create_schema();
  void insert_defaults();

  bool temporary_ = false;  // before path_: it reads the constructor argument before the move
  std::string path_;
  core::Rng rng_;
  sqlite::Connection db_;
  std::unique_ptr<Statements> st_;
};

}  // namespace arrload::target
