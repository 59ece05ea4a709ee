#include "scenario/yaml_field.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "core/duration.h"
#include "scenario/loader.h"
#include "scenario/template_parser.h"

namespace arrload::scenario::detail {

namespace {

int line_of(const YAML::Node& node, int fallback) {
  // yaml-cpp gives a null value the mark of whatever follows it, so nulls keep the fallback.
  if (!node.IsDefined() || node.IsNull() || node.Mark().line < 0) return fallback;
  return node.Mark().line + 1;
}

// How a node looks, for "expected X, got Y" messages.
std::string describe(const YAML::Node& node) {
  if (node.IsNull()) return "nothing";
  if (node.IsSequence()) return "a list";
  if (node.IsScalar()) return fmt::format("'{}'", node.Scalar());
  // An unquoted {{ var }} is YAML flow-mapping syntax: a mapping whose key is a mapping.
  for (const auto& kv : node) {
    if (kv.first.IsMap()) return "a mapping (quote values that start with '{{')";
  }
  return "a mapping";
}

std::string join(std::initializer_list<std::string_view> items) {
  std::string out;
  for (std::string_view item : items) out += fmt::format("{}{}", out.empty() ? "" : ", ", item);
  return out;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      std::size_t cost = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                                 std::tolower(static_cast<unsigned char>(b[j - 1]))
                             ? 0
                             : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + cost});
      diag = up;
    }
  }
  return row[b.size()];
}

Field::Field(const YAML::Node& node, std::string file, std::string path, int line)
    : node_(node), file_(std::move(file)), path_(std::move(path)), line_(line) {}

void Field::fail(const std::string& message) const {
  throw ScenarioError(file_, line_, path_, message);
}

void Field::expect_map(std::string_view what) const {
  if (!is_map()) fail(fmt::format("expected {}, got {}", what, describe(node_)));
}

void Field::expect_list(std::string_view what) const {
  if (!is_list()) fail(fmt::format("expected {}, got {}", what, describe(node_)));
}

Field Field::child(const YAML::Node& key, const YAML::Node& value, std::string path) const {
  int key_line = line_of(key, line_);
  return Field(value, file_, std::move(path), line_of(value, key_line));
}

std::optional<Field> Field::find(std::string_view key) const {
  for (const auto& kv : node_) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) {
      return child(kv.first, kv.second,
                   path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key));
    }
  }
  return std::nullopt;
}

Field Field::get(std::string_view key, std::string_view what) const {
  std::optional<Field> f = find(key);
  if (!f) fail(fmt::format("missing required key '{}' ({})", key, what));
  return *f;
}

std::vector<std::pair<std::string, Field>> Field::entries() const {
  std::vector<std::pair<std::string, Field>> out;
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar()) {
      Field(kv.first, file_, path_, line_of(kv.first, line_))
          .fail(fmt::format("expected a plain key, got {}{}", describe(kv.first),
                            kv.first.IsMap() ? " (quote values that start with '{{')" : ""));
    }
    const std::string& key = kv.first.Scalar();
    out.emplace_back(key, child(kv.first, kv.second, path_.empty() ? key : path_ + "." + key));
  }
  return out;
}

void Field::check_keys(std::initializer_list<std::string_view> allowed) const {
  entries();                        // rejects non-scalar keys
  std::map<std::string, int> seen;  // key -> line
  for (const auto& kv : node_) {
    const std::string& key = kv.first.Scalar();
    // Errors about a key point at the key itself, not at a value that may start lines later.
    Field at(kv.second, file_, path_.empty() ? key : fmt::format("{}.{}", path_, key),
             line_of(kv.first, line_));
    if (auto [it, fresh] = seen.emplace(key, at.line_); !fresh) {
      at.fail(fmt::format("duplicate key '{}' (first given at line {})", key, it->second));
    }
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string_view best;
    std::size_t best_distance = 3;  // suggest only keys within two edits
    for (std::string_view candidate : allowed) {
      std::size_t d = edit_distance(key, candidate);
      if (d < best_distance) best = candidate, best_distance = d;
    }
    std::string hint = best.empty() ? "" : fmt::format("did you mean '{}'? ", best);
    at.fail(fmt::format("unknown key '{}' ({}allowed: {})", key, hint, join(allowed)));
  }
}

std::vector<Field> Field::items() const {
  std::vector<Field> out;
  std::size_t i = 0;
  for (const auto& item : node_) {
    out.emplace_back(item, file_, fmt::format("{}[{}]", path_, i++), line_of(item, line_));
  }
  return out;
}

std::string Field::raw_text() const {
  if (!is_scalar()) fail(fmt::format("expected a single value, got {}", describe(node_)));
  return node_.Scalar();
}

std::string Field::text() const {
  try {
    return substitute_env(raw_text());
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  }
}

std::int64_t Field::integer() const {
  std::string s = text();
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    fail(fmt::format("expected a whole number, got '{}'", s));
  }
  return value;
}

double Field::number() const {
  std::string s = text();
  double value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) {
    fail(fmt::format("expected a number, got '{}'", s));
  }
  return value;
}

bool Field::boolean() const {
  std::string s = text();
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "true") return true;
  if (s == "false") return false;
  fail(fmt::format("expected true or false, got '{}'", raw_text()));
}

std::chrono::microseconds Field::duration() const {
  std::string s = text();
  std::optional<std::chrono::microseconds> d = core::parse_duration(s);
  if (!d) fail(fmt::format("bad duration '{}' (write e.g. 30s, 500ms, 1m30s, or seconds: 2.5)", s));
  return *d;
}

}  // namespace arrload::scenario::detail
