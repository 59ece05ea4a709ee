#pragma once
// A thin RAII layer over SQLite's C API for the target's database: a connection and prepared
// statements. Not thread-safe: a connection and its statements belong to one thread at a time.
//
// Failures throw DbError. In the target they mean a broken or full database file, not a bad
// request: the database thread turns them into 500 responses (see db_worker.h).
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace arrload::target::sqlite {

class DbError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Connection {
 public:
  // Opens (creating) the database at PATH (":memory:" for a private in-memory one).
  explicit Connection(const std::string& path);
  ~Connection();  // close()s
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Closes the database. REQUIRES: every Statement on it finalized (destroyed). Idempotent;
  // nothing else may be called afterwards.
  void close();

  // Runs SQL, which may hold several statements and must return no rows that matter.
  void exec(std::string_view sql);
  // The rowid of the last INSERT on this connection.
  std::int64_t last_insert_rowid() const;
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// A prepared statement, reusable: bind, step until it returns false, reset (step() resets it
// when it returns false, and bind_* reset it when it was mid-way). Parameters count from 1,
// columns from 0.
class Statement {
 public:
  // REQUIRES: DB outlives the statement.
  Statement(Connection& db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);  // copied
  Statement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::optional<std::string>& value);  // null when empty
  Statement& bind(int index, const std::optional<int>& value);
  Statement& bind_null(int index);

  // Advances to the next row: true when there is one, false when done (and reset for reuse).
  bool step();
  // Runs a statement that returns no rows (step, then reset).
  void run();

  std::int64_t column_int(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;  // "" for NULL
  bool column_is_null(int column) const;
  std::optional<std::string> column_optional_text(int column) const;
  std::optional<int> column_optional_int(int column) const;

 private:
  void reset_if_running();

  Connection& db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool running_ = false;  // stepped and not yet reset
};

}  // namespace arrload::target::sqlite
