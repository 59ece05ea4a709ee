#include "target/sqlite.h"

#include <sqlite3.h>

#include <fmt/format.h>

namespace arrload::target::sqlite {
namespace {

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  throw DbError(fmt::format("sqlite: {}: {}", what, db != nullptr ? sqlite3_errmsg(db) : "?"));
}

}  // namespace

Connection::Connection(const std::string& path) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw DbError(fmt::format("cannot open database '{}': {}", path, message));
  }
  sqlite3_busy_timeout(db_, 5000);  // another process holding the file: wait, then fail
}

Connection::~Connection() { close(); }

void Connection::close() {
  sqlite3_close(db_);
  db_ = nullptr;
}

void Connection::exec(std::string_view sql) {
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    fail(db_, text.substr(0, 60));
  }
}

std::int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

Statement::Statement(Connection& db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK) {
    fail(db.handle(), fmt::format("prepare '{}'", sql.substr(0, 60)));
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::reset_if_running() {
  if (!running_) return;
  sqlite3_reset(stmt_);
  running_ = false;
}

Statement& Statement::bind(int index, std::int64_t value) {
  reset_if_running();
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_.handle(), "bind");
  return *this;
}

Statement& Statement::bind(int index, double value) {
  reset_if_running();
  if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) fail(db_.handle(), "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  reset_if_running();
  if (sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                          SQLITE_UTF8) != SQLITE_OK) {
    fail(db_.handle(), "bind");
  }
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
  return value ? bind(index, std::string_view(*value)) : bind_null(index);
}

Statement& Statement::bind(int index, const std::optional<int>& value) {
  return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
  reset_if_running();
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(db_.handle(), "bind");
  return *this;
}

bool Statement::step() {
  running_ = true;
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  sqlite3_reset(stmt_);
  running_ = false;
  if (rc != SQLITE_DONE) fail(db_.handle(), "step");
  return false;
}

void Statement::run() {
  while (step()) {
  }
}

std::int64_t Statement::column_int(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::column_double(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::column_text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::optional<std::string> Statement::column_optional_text(int column) const {
  if (column_is_null(column)) return std::nullopt;
  return column_text(column);
}

std::optional<int> Statement::column_optional_int(int column) const {
  if (column_is_null(column)) return std::nullopt;
  return static_cast<int>(column_int(column));
}

}  // namespace arrload::target::sqlite
