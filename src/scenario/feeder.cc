#include "scenario/feeder.h"

#include <algorithm>

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace arrload::scenario {

FeedTable::FeedTable(std::vector<std::string> columns) : columns_(std::move(columns)) {}

std::optional<std::size_t> FeedTable::column(std::string_view name) const {
  auto it = std::find(columns_.begin(), columns_.end(), name);
  if (it == columns_.end()) return std::nullopt;
  return static_cast<std::size_t>(it - columns_.begin());
}

std::string_view FeedTable::cell(std::size_t row, std::size_t column) const {
  const std::size_t i = row * columns_.size() + column;
  const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
  return std::string_view(text_).substr(begin, ends_[i] - begin);
}

void FeedTable::add_row(const std::vector<std::string>& cells) {
  for (const std::string& c : cells) {
    text_ += c;
    ends_.push_back(text_.size());
  }
}

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 4180 records, one at a time. Fields may be quoted; a quoted field may hold the delimiter,
// line breaks and "" (a quote). Strict about stray quotes: a file that breaks the rules is more
// likely a mistake than data meant that way, and it is cheaper to say so at load than to send
// half-quoted values for an hour.
class CsvReader {
 public:
  CsvReader(std::string_view text, char delimiter) : text_(text), delimiter_(delimiter) {}

  // Reads the next record into FIELDS, setting LINE to the line it starts on; false at the end.
  bool next(std::vector<std::string>& fields, int& line) {
    skip_blank_lines();
    if (pos_ >= text_.size()) return false;
    line = line_;
    fields.clear();
    while (true) {
      fields.emplace_back();
      if (pos_ < text_.size() && text_[pos_] == '"') {
        quoted(fields.back());
      } else {
        unquoted(fields.back());
      }
      if (pos_ < text_.size() && text_[pos_] == delimiter_) {
        ++pos_;
        continue;
      }
      end_of_line();
      return true;
    }
  }

 private:
  bool at_line_end() const {
    return pos_ >= text_.size() || text_[pos_] == '\n' ||
           (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n');
  }
  void end_of_line() {
    if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') {
      ++pos_;
      ++line_;
    }
  }
  void skip_blank_lines() {
    while (pos_ < text_.size() && at_line_end()) end_of_line();
  }

  void unquoted(std::string& out) {
    const std::size_t start = pos_;
    while (!at_line_end() && text_[pos_] != delimiter_) {
      if (text_[pos_] == '"') {
        throw FeedFileError(line_,
                            "a quote inside an unquoted field (quote the whole field and double "
                            "the quote: \"5'10\"\"\")");
      }
      ++pos_;
    }
    out.assign(text_.substr(start, pos_ - start));
  }

  void quoted(std::string& out) {
    const int opened = line_;
    ++pos_;  // the opening quote
    while (true) {
      const std::size_t quote = text_.find('"', pos_);
      if (quote == std::string_view::npos) {
        throw FeedFileError(opened, "a quoted field is never closed (a '\"' is missing)");
      }
      const std::string_view piece = text_.substr(pos_, quote - pos_);
      line_ += static_cast<int>(std::count(piece.begin(), piece.end(), '\n'));
      out += piece;
      pos_ = quote + 1;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        out += '"';
        ++pos_;
        continue;
      }
      if (!at_line_end() && text_[pos_] != delimiter_) {
        throw FeedFileError(line_,
                            "text after the closing quote of a field (a quote inside a quoted "
                            "field is written \"\")");
      }
      return;
    }
  }

  std::string_view text_;
  char delimiter_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

FeedTable parse_delimited(std::string_view text, char delimiter) {
  CsvReader reader(text, delimiter);
  std::vector<std::string> fields;
  int line = 0;
  if (!reader.next(fields, line)) {
    throw FeedFileError(0, "the file is empty (expected a header row naming the columns)");
  }
  const int header_line = line;
  std::vector<std::string> columns;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::string name(trim(fields[i]));
    if (name.empty()) {
      throw FeedFileError(line, fmt::format("column {} of the header row has no name", i + 1));
    }
    if (std::find(columns.begin(), columns.end(), name) != columns.end()) {
      throw FeedFileError(line, fmt::format("column '{}' appears twice in the header row", name));
    }
    columns.push_back(std::move(name));
  }
  FeedTable table(columns);
  while (reader.next(fields, line)) {
    if (fields.size() != columns.size()) {
      throw FeedFileError(
          line, fmt::format("{} field{}, but the header row (line {}) has {} "
                            "column{}: {}",
                            fields.size(), fields.size() == 1 ? "" : "s", header_line,
                            columns.size(), columns.size() == 1 ? "" : "s", join(columns)));
    }
    table.add_row(fields);
  }
  if (table.rows() == 0) throw FeedFileError(header_line, "a header row but no rows of data");
  return table;
}

std::string cell_text(const boost::json::value& v) {
  if (const auto* s = v.if_string()) return std::string(s->data(), s->size());
  if (v.is_null()) return {};
  // As extraction writes numbers: Boost.JSON would print 1.5 as "1.5E0".
  if (v.is_double()) return fmt::format("{}", v.get_double());
  return boost::json::serialize(v);
}

FeedTable parse_json_lines(std::string_view text) {
  std::optional<FeedTable> table;
  std::vector<std::string> cells;
  int line = 0;
  while (!text.empty()) {
    ++line;
    const std::size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (trim(raw).empty()) continue;
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(raw, ec);
    if (ec) throw FeedFileError(line, fmt::format("not valid JSON: {}", ec.message()));
    const boost::json::object* obj = v.if_object();
    if (obj == nullptr) {
      throw FeedFileError(line,
                          "not a JSON object (each line is one object, as in "
                          "{\"user\": \"alice\"})");
    }
    if (!table) {
      if (obj->empty()) throw FeedFileError(line, "the first object has no keys (the columns)");
      std::vector<std::string> columns;
      for (const auto& kv : *obj) columns.emplace_back(kv.key());
      table.emplace(std::move(columns));
    }
    const std::vector<std::string>& columns = table->columns();
    cells.clear();
    for (const std::string& c : columns) {
      auto it = obj->find(c);
      if (it == obj->end()) {
        throw FeedFileError(line, fmt::format("no key '{}' (every line has the keys of the first "
                                              "line: {})",
                                              c, join(columns)));
      }
      cells.push_back(cell_text(it->value()));
    }
    if (obj->size() != columns.size()) {
      for (const auto& kv : *obj) {
        if (!table->column(kv.key())) {
          throw FeedFileError(line, fmt::format("key '{}' is not in the first line (every line "
                                                "has the keys of the first line: {})",
                                                std::string_view(kv.key()), join(columns)));
        }
      }
    }
    table->add_row(cells);
  }
  if (!table) throw FeedFileError(0, "the file is empty (expected one JSON object a line)");
  return std::move(*table);
}

}  // namespace

std::string feeder_summary(const Feeder& f) {
  const std::size_t rows = f.table->rows();
  std::string order = "sequential";
  if (f.order == Feeder::Order::kRandom) order = "random";
  if (f.order == Feeder::Order::kUnique) {
    order = f.wrap ? "unique (then again from the first row)" : "unique (error when out of rows)";
  }
  return fmt::format(
      "{}: {} row{}, columns {}; {}, {}", f.file, rows, rows == 1 ? "" : "s",
      join(f.table->columns()), order,
      f.refresh == Feeder::Refresh::kTask ? "a new row for each task" : "one row per user");
}

FeedTable parse_feed(std::string_view text, FeedFormat format) {
  if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
  switch (format) {
    case FeedFormat::kCsv:
      return parse_delimited(text, ',');
    case FeedFormat::kTsv:
      return parse_delimited(text, '\t');
    case FeedFormat::kJsonLines:
      return parse_json_lines(text);
  }
  return parse_delimited(text, ',');
}

}  // namespace arrload::scenario
