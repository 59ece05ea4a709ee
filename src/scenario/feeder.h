#pragma once
// Feeders: rows of test data read from a file (CSV, TSV or JSON lines) when the scenario loads,
// handed to users as `{{ row.COLUMN }}` (docs/scenario-format.md, "Feeders").
//
// A FeedTable is built once at start-up and then only read: every worker thread shares it
// without locks. Which row a user gets is decided by the engine (engine/feed.h).
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace arrload::scenario {

// The rows of a data file: named columns, every row with a value for each (possibly empty).
class FeedTable {
 public:
  // REQUIRES: COLUMNS is non-empty and its names are distinct.
  explicit FeedTable(std::vector<std::string> columns);

  const std::vector<std::string>& columns() const { return columns_; }
  // The index of column NAME, or nullopt.
  std::optional<std::size_t> column(std::string_view name) const;
  std::size_t rows() const { return ends_.size() / columns_.size(); }
  // REQUIRES: ROW < rows(), COLUMN < columns().size().
  std::string_view cell(std::size_t row, std::size_t column) const;

  // Appends a row. REQUIRES: CELLS.size() == columns().size().
  void add_row(const std::vector<std::string>& cells);

 private:
  std::vector<std::string> columns_;
  // Every cell's text one after another (row-major), and where each cell ends: one allocation
  // for the whole file instead of one string per cell.
  std::string text_;
  std::vector<std::size_t> ends_;
};

enum class FeedFormat {
  kCsv,        // RFC 4180: header row, ',' between fields, "..." quoting with "" for a quote
  kTsv,        // the same with a tab between fields
  kJsonLines,  // one JSON object a line (.jsonl, .ndjson); its keys are the columns
};

// A problem in a data file. LINE is 1-based (0: the file as a whole); what() is the message
// without the file name, which the loader adds.
class FeedFileError : public std::runtime_error {
 public:
  FeedFileError(int line, const std::string& message) : std::runtime_error(message), line_(line) {}
  int line() const { return line_; }

 private:
  int line_;
};

// Parses a data file's TEXT. A UTF-8 byte order mark is skipped, lines end with LF or CRLF, blank
// lines are skipped. CSV/TSV: the first record names the columns (names trimmed of spaces, not
// empty, distinct); every later record has one field per column. JSON lines: each line is an
// object with the keys of the first line; strings are taken without quotes, numbers and booleans
// as written, null as "", arrays and objects as compact JSON. Throws FeedFileError.
FeedTable parse_feed(std::string_view text, FeedFormat format);

// A named feeder of the scenario (feeders: NAME: {file, order, on_exhausted, refresh}).
struct Feeder {
  enum class Order {
    kSequential,  // in file order, shared by every user; after the last row, the first again
    kRandom,      // a uniformly random row each time (the user's random generator)
    kUnique,      // in file order, each row given once per run; then on_exhausted decides
  };
  enum class Refresh {
    kUser,  // a user takes one row when it starts and keeps it
    kTask,  // ... and a new one before each of its tasks but the first
  };
  std::string name;
  std::string file;  // as written in the scenario, for messages
  std::shared_ptr<const FeedTable> table;
  std::string sha256;  // of the file's bytes, in hex: part of the scenario's fingerprint
  Order order = Order::kSequential;
  bool wrap = false;  // unique: start again at the first row when the rows run out (else error)
  Refresh refresh = Refresh::kUser;
  std::string where;  // "FILE:LINE" of the declaration
};

// One line on what F holds and hands out, for `arrload validate`: "accounts.csv: 6 rows, columns
// user, password; unique (error when out of rows), one row per user".
std::string feeder_summary(const Feeder& f);

}  // namespace arrload::scenario
