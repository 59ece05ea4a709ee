#pragma once
// Private to the loader: a YAML node that knows its file, line and dotted field path, so every
// problem found in it becomes a ScenarioError naming all three.
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "scenario/model.h"

namespace arrload::scenario::detail {

class Field {
 public:
  // LINE is 1-based. PATH is the dotted field path ("users[0].tasks[2]"); empty for a file's root.
  Field(const YAML::Node& node, std::string file, std::string path, int line);

  const YAML::Node& node() const { return node_; }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  int line() const { return line_; }
  SourceLocation where() const { return {file_, line_}; }

  // Throws ScenarioError(file, line, path, MESSAGE).
  [[noreturn]] void fail(const std::string& message) const;

  bool is_null() const { return node_.IsNull(); }
  bool is_map() const { return node_.IsMap(); }
  bool is_list() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }
  // True for a quoted or block scalar, which YAML says is always a string.
  bool is_quoted() const { return node_.Tag() == "!"; }

  // Each fails unless the node has that shape; WHAT names the expected content in the message.
  void expect_map(std::string_view what) const;
  void expect_list(std::string_view what) const;

  // Mapping access (REQUIRES: is_map()). find: the value under KEY, or nullopt; get: fails when
  // KEY is missing. A null value keeps its key's line.
  std::optional<Field> find(std::string_view key) const;
  Field get(std::string_view key, std::string_view what) const;
  // The entries in file order; keys must be plain strings.
  std::vector<std::pair<std::string, Field>> entries() const;
  // Fails on a key outside ALLOWED (suggesting the closest allowed key) and on duplicate keys.
  void check_keys(std::initializer_list<std::string_view> allowed) const;

  // The items of a list (REQUIRES: is_list()).
  std::vector<Field> items() const;

  // Scalars. raw_text: as written; text: with ${ENV} substituted. The others parse text() and
  // fail with what was expected.
  std::string raw_text() const;
  std::string text() const;
  std::int64_t integer() const;
  double number() const;
  bool boolean() const;
  std::chrono::microseconds duration() const;  // core::parse_duration syntax

 private:
  Field child(const YAML::Node& key, const YAML::Node& value, std::string path) const;

  YAML::Node node_;
  std::string file_;
  std::string path_;
  int line_;
};

// Edit distance between A and B, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace arrload::scenario::detail
