#include "scenario/json_path.h"

#include <charconv>
#include <random>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <boost/json.hpp>

namespace arrload::scenario {

namespace {

struct Step {
  enum class Kind { kMember, kIndex, kAny };
  Kind kind = Kind::kMember;
  std::string member;
  std::int64_t index = 0;
};

[[noreturn]] void fail(std::string_view path, std::size_t pos, std::string_view what) {
  throw std::invalid_argument(
      fmt::format("bad JSON path '{}' at position {}: {} (write e.g. $.series[0].id, "
                  "$.series[*].id, $.items[-1], $[\"a b\"])",
                  path, pos + 1, what));
}

// Parses "[...]" starting at PATH[I] == '['; leaves I after the ']'.
Step parse_bracket(std::string_view path, std::size_t& i) {
  std::size_t start = i++;
  Step step;
  if (i < path.size() && (path[i] == '"' || path[i] == '\'')) {
    std::size_t close = path.find(path[i], i + 1);
    if (close == std::string_view::npos) fail(path, i, "unclosed quote");
    step.member = std::string(path.substr(i + 1, close - i - 1));
    i = close + 1;
  } else if (i < path.size() && path[i] == '*') {
    step.kind = Step::Kind::kAny;
    ++i;
  } else {
    step.kind = Step::Kind::kIndex;
    std::size_t close = path.find(']', i);
    if (close == std::string_view::npos) close = path.size();
    auto [end, ec] = std::from_chars(path.data() + i, path.data() + close, step.index);
    if (ec != std::errc() || end == path.data() + i) {
      fail(path, start, "expected an index, '*' or a quoted name inside [ ]");
    }
    i = static_cast<std::size_t>(end - path.data());
  }
  if (i >= path.size() || path[i] != ']') fail(path, i, "expected ']'");
  ++i;
  return step;
}

std::vector<Step> parse_path(std::string_view path) {
  if (path.empty() || path[0] != '$') fail(path, 0, "a path starts with '$'");
  std::vector<Step> steps;
  std::size_t i = 1;
  while (i < path.size()) {
    if (path[i] == '[') {
      steps.push_back(parse_bracket(path, i));
    } else if (path[i] == '.') {
      std::size_t end = path.find_first_of(".[", i + 1);
      if (end == std::string_view::npos) end = path.size();
      if (end == i + 1) fail(path, i, "empty member name after '.'");
      steps.push_back({Step::Kind::kMember, std::string(path.substr(i + 1, end - i - 1)), 0});
      i = end;
    } else {
      fail(path, i, fmt::format("unexpected '{}'", path[i]));
    }
  }
  return steps;
}

const boost::json::value* follow(const boost::json::value& v, const Step& step, core::Rng& rng) {
  if (step.kind == Step::Kind::kMember) {
    const auto* obj = v.if_object();
    return obj != nullptr ? obj->if_contains(step.member) : nullptr;
  }
  const auto* arr = v.if_array();
  if (arr == nullptr || arr->empty()) return nullptr;
  auto size = static_cast<std::int64_t>(arr->size());
  std::int64_t index = step.index;
  if (step.kind == Step::Kind::kAny) {
    index = std::uniform_int_distribution<std::int64_t>(0, size - 1)(rng);
  } else if (index < 0) {
    index += size;
  }
  if (index < 0 || index >= size) return nullptr;
  return &(*arr)[static_cast<std::size_t>(index)];
}

std::optional<std::string> to_text(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      return std::nullopt;
    case boost::json::kind::string:
      return std::string(v.get_string());
    case boost::json::kind::bool_:
      return v.get_bool() ? "true" : "false";
    case boost::json::kind::int64:
      return fmt::format("{}", v.get_int64());
    case boost::json::kind::uint64:
      return fmt::format("{}", v.get_uint64());
    // Boost.JSON would print 1.5 as "1.5E0"; fmt gives the shortest text that reads back the same.
    case boost::json::kind::double_:
      return fmt::format("{}", v.get_double());
    default:
      return boost::json::serialize(v);
  }
}

}  // namespace

void validate_json_path(std::string_view path) { parse_path(path); }

std::optional<std::string> extract_json(std::string_view body, std::string_view path,
                                        core::Rng& rng) {
  std::vector<Step> steps;
  try {
    steps = parse_path(path);
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
  // One arena per call: the document is thrown away as soon as the value is copied out.
  boost::json::monotonic_resource arena;
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(body, ec, &arena);
  if (ec) return std::nullopt;
  const boost::json::value* cur = &root;
  for (const Step& step : steps) {
    cur = follow(*cur, step, rng);
    if (cur == nullptr) return std::nullopt;
  }
  return to_text(*cur);
}

}  // namespace arrload::scenario
