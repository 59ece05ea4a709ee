#include "target/database.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "target/database_sql.h"

namespace arrload::target {
namespace {

// A new empty file for the database; SQLite accepts an empty file as an empty database.
std::string make_temporary_file() {
  const char* dir = std::getenv("TMPDIR");
  std::string name = fmt::format("{}/arrload-target-XXXXXX", dir != nullptr && *dir ? dir : "/tmp");
  const int fd = mkstemp(name.data());
  if (fd < 0) throw sqlite::DbError(fmt::format("cannot create a temporary database '{}'", name));
  close(fd);
  return name;
}

ContentRequest read_request(const sqlite::Statement& s) {
  ContentRequest r;
  r.id = s.column_int(0);
  r.correlation_id = s.column_text(1);
  r.query = s.column_text(2);
  r.user_id = s.column_optional_text(3);
  r.classification.content_type = s.column_text(4);
  r.classification.title = s.column_text(5);
  r.classification.year = s.column_optional_int(6);
  r.classification.quality = s.column_optional_text(7);
  r.classification.season = s.column_optional_int(8);
  r.classification.episode = s.column_optional_int(9);
  r.classification.confidence = s.column_double(10);
  r.status = s.column_text(11);
  r.external_id = s.column_optional_text(12);
  r.created_at = s.column_text(13);
  r.updated_at = s.column_text(14);
  r.completed_at = s.column_optional_text(15);
  return r;
}

ActivityEntry read_activity(const sqlite::Statement& s) {
  ActivityEntry a;
  a.id = s.column_int(0);
  a.service = s.column_text(1);
  a.activity_type = s.column_text(2);
  a.severity = s.column_text(3);
  a.message = s.column_text(4);
  a.correlation_id = s.column_optional_text(5);
  a.metadata = s.column_text(6);
  a.timestamp = s.column_text(7);
  a.created_at = s.column_text(8);
  a.user_id = s.column_optional_text(9);
  return a;
}

void bind_filter(sqlite::Statement& s, const ActivityFilter& f) {
  s.bind(1, f.service).bind(2, f.activity_type).bind(3, f.severity);
}

}  // namespace

Database::Statements::Statements(sqlite::Connection& db)
    : begin(db, "BEGIN"),
      commit(db, "COMMIT"),
      insert_request(db,
                     "INSERT INTO content_requests (correlation_id, query, user_id, content_type, "
                     "title, year, quality, season, episode, confidence, status, created_at, "
                     "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'submitted', ?, ?)"),
      find_request(db,
                   fmt::format("SELECT {} FROM content_requests WHERE id = ?", kRequestColumns)),
      list_requests(db, fmt::format("SELECT {} FROM content_requests ORDER BY id DESC "
                                    "LIMIT ? OFFSET ?",
                                    kRequestColumns)),
      count_requests(db, "SELECT COUNT(*) FROM content_requests"),
      insert_activity(db,
                      "INSERT INTO activity_log (service, activity_type, severity, message, "
                      "correlation_id, metadata, timestamp, created_at, user_id) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
      list_activity(db, fmt::format("SELECT {} FROM activity_log{} ORDER BY id DESC "
                                    "LIMIT ?4 OFFSET ?5",
                                    kActivityColumns, kActivityWhere)),
      count_activity(db, fmt::format("SELECT COUNT(*) FROM activity_log{}", kActivityWhere)),
      find_settings(db,
                    "SELECT service, enabled, url, api_key, timeout FROM service_settings "
                    "WHERE service = ?"),
      save_settings(db,
                    "INSERT OR REPLACE INTO service_settings "
                    "(service, enabled, url, api_key, timeout, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)"),
      app_settings(db, "SELECT key, value FROM app_settings"),
      onboarding(db,
                 "SELECT completed, current_step, skipped_steps, ai_configured, "
                 "services_configured, banner_dismissed FROM onboarding_state WHERE id = 1"),
      set_step(db,
               "UPDATE onboarding_state SET current_step = ?1, updated_at = ?2, "
               "completed = completed OR ?1 = 'complete' WHERE id = 1") {}

Database::Database(std::string path, std::uint64_t seed)
    : temporary_(path.empty()),
      path_(temporary_ ? make_temporary_file() : std::move(path)),
      rng_(seed),
      db_(path_) {
  // WAL: readers never wait for the writer; NORMAL: commits do not fsync (a test target's data
  // is not worth a disk flush per request, and the flush would make the target the bottleneck).
  if (path_ != ":memory:") db_.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
  create_schema();
  st_ = std::make_unique<Statements>(db_);
  insert_defaults();
}

Database::~Database() {
  st_.reset();
  db_.close();  // first: closing checkpoints the WAL into the file
  if (!temporary_) return;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::remove((path_ + suffix).c_str());
  }
}

void Database::create_schema() { db_.exec(kSchema); }

void Database::begin() { st_->begin.run(); }

void Database::commit() { st_->commit.run(); }

void Database::rollback() noexcept {
  try {
    db_.exec("ROLLBACK");
  } catch (const sqlite::DbError&) {  // no transaction open: nothing to undo
  }
}

ContentRequest Database::add_request(std::string query, std::optional<std::string> user_id,
                                     const std::string& now) {
  ContentRequest r;
  // Bounded, because std::regex recurses per character.
  r.classification = classify(std::string_view(query).substr(0, 256));
  r.query = std::move(query);
  r.user_id = std::move(user_id);
  r.correlation_id = fmt::format("req_{:012x}", rng_() & 0xffffffffffffull);
  r.status = "submitted";
  r.created_at = now;
  r.updated_at = now;
  const Classification& c = r.classification;
  sqlite::Statement& s = st_->insert_request;
  s.bind(1, r.correlation_id).bind(2, r.query).bind(3, r.user_id).bind(4, c.content_type);
  s.bind(5, c.title).bind(6, c.year).bind(7, c.quality).bind(8, c.season).bind(9, c.episode);
  s.bind(10, c.confidence).bind(11, now).bind(12, now);
  s.run();
  r.id = db_.last_insert_rowid();
  return r;
}

std::optional<ContentRequest> Database::find_request(long long id) {
  sqlite::Statement& s = st_->find_request;
  s.bind(1, static_cast<std::int64_t>(id));
  if (!s.step()) return std::nullopt;
  ContentRequest r = read_request(s);
  while (s.step()) {
  }
  return r;
}

std::vector<ContentRequest> Database::list_requests(long long offset, long long limit) {
  sqlite::Statement& s = st_->list_requests;
  s.bind(1, static_cast<std::int64_t>(limit)).bind(2, static_cast<std::int64_t>(offset));
  std::vector<ContentRequest> out;
  while (s.step()) out.push_back(read_request(s));
  return out;
}

long long Database::count_requests() {
  sqlite::Statement& s = st_->count_requests;
  long long n = 0;
  while (s.step()) n = s.column_int(0);
  return n;
}

long long Database::add_activity(const ActivityEntry& e) {
  sqlite::Statement& s = st_->insert_activity;
  s.bind(1, e.service).bind(2, e.activity_type).bind(3, e.severity).bind(4, e.message);
  s.bind(5, e.correlation_id).bind(6, e.metadata).bind(7, e.timestamp).bind(8, e.created_at);
  s.bind(9, e.user_id);
  s.run();
  return db_.last_insert_rowid();
}

std::vector<ActivityEntry> Database::list_activity(const ActivityFilter& filter, long long offset,
                                                   long long limit) {
  sqlite::Statement& s = st_->list_activity;
  bind_filter(s, filter);
  s.bind(4, static_cast<std::int64_t>(limit)).bind(5, static_cast<std::int64_t>(offset));
  std::vector<ActivityEntry> out;
  while (s.step()) out.push_back(read_activity(s));
  return out;
}

long long Database::count_activity(const ActivityFilter& filter) {
  sqlite::Statement& s = st_->count_activity;
  bind_filter(s, filter);
  long long n = 0;
  while (s.step()) n = s.column_int(0);
  return n;
}

}  // namespace arrload::target
