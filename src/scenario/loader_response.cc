// What a request does with its response: expected statuses, checks, extractions.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

#include "scenario/json_path.h"
#include "scenario/loader_internal.h"

namespace arrload::scenario::detail {

namespace {

std::pair<int, int> parse_status(const Field& field) {
  std::string s = field.text();
  auto bad = [&]() {
    field.fail(
        fmt::format("bad status '{}' (expected a status like 200, a class like 2xx, or a "
                    "range like 200-299, within 100-599)",
                    s));
  };
  auto number = [&](std::string_view t) {
    int v = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || v < 100 || v > 599) bad();
    return v;
  };
  if (s.size() == 3 && s[0] >= '1' && s[0] <= '5' && (s[1] == 'x' || s[1] == 'X') &&
      (s[2] == 'x' || s[2] == 'X')) {
    int base = (s[0] - '0') * 100;
    return {base, base + 99};
  }
  std::size_t dash = s.find('-');
  if (dash == std::string::npos) {
    int v = number(s);
    return {v, v};
  }
  std::pair<int, int> range{number(std::string_view(s).substr(0, dash)),
                            number(std::string_view(s).substr(dash + 1))};
  if (range.first > range.second) bad();
  return range;
}

StatusSet load_expect(const Field& field) {
  std::vector<Field> items = field.is_list() ? field.items() : std::vector<Field>{field};
  if (items.empty()) field.fail("expect needs at least one status (or leave it out for < 400)");
  StatusSet set;
  for (const Field& item : items) set.ranges.push_back(parse_status(item));
  return set;
}

// Remembers that REQ reads the response header NAME.
void want_header(Request& r, const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (std::find(r.response_headers.begin(), r.response_headers.end(), lower) ==
      r.response_headers.end()) {
    r.response_headers.push_back(std::move(lower));
  }
}

Pattern load_pattern(const Field& field) {
  try {
    return Pattern(field.text());
  } catch (const std::invalid_argument& e) {
    field.fail(e.what());
  }
}

// An extraction's source: a JSON path ("$.id"), {header: Location} or {regex: 'id=(\d+)'}.
void load_extraction_source(const Field& source, Request& r, Extraction& x) {
  if (source.is_scalar()) {
    x.json_path = source.text();
    try {
      validate_json_path(x.json_path);
    } catch (const std::invalid_argument& e) {
      source.fail(e.what());
    }
    return;
  }
  source.expect_map("a JSON path, {header: NAME} or {regex: PATTERN}");
  source.check_keys({"header", "regex"});
  std::optional<Field> header = source.find("header");
  std::optional<Field> regex = source.find("regex");
  if (header && regex) regex->fail("give either header: or regex:, not both");
  if (header) {
    x.source = Extraction::Source::kHeader;
    x.header = header->text();
    if (x.header.empty() || x.header.find_first_of(" \t:") != std::string::npos) {
      header->fail(fmt::format("invalid header name '{}'", x.header));
    }
    want_header(r, x.header);
  } else if (regex) {
    x.source = Extraction::Source::kRegex;
    x.regex = load_pattern(*regex);
  } else {
    source.fail("needs header: or regex:");
  }
}

void load_extract(const Field& field, LoadState& state, Request& r) {
  field.expect_map(
      "a mapping of variable names to JSON paths, {header: NAME} or {regex: PATTERN}, as in "
      "{id: $.id}");
  for (const auto& [var, source] : field.entries()) {
    bool identifier = !var.empty() && !std::isdigit(static_cast<unsigned char>(var[0])) &&
                      std::all_of(var.begin(), var.end(),
                                  [](unsigned char c) { return std::isalnum(c) || c == '_'; });
    if (!identifier) source.fail(fmt::format("bad variable name '{}' (letters, digits, _)", var));
    if (var == "counter" || var == "user_id" || var == "uuid") {
      source.fail(fmt::format("'{}' is a built-in placeholder; pick another variable name", var));
    }
    Extraction x;
    x.var = var;
    load_extraction_source(source, r, x);
    x.slot = state.add_extraction(var);
    r.extract.push_back(std::move(x));
  }
}

// One value, or a list of them, as strings.
std::vector<std::string> scalar_list(const Field& field, std::string_view what) {
  std::vector<Field> items = field.is_list() ? field.items() : std::vector<Field>{field};
  if (items.empty()) field.fail(fmt::format("needs at least one {}", what));
  std::vector<std::string> out;
  for (const Field& item : items) {
    if (!item.is_scalar()) item.fail(fmt::format("a {} must be a plain value", what));
    out.push_back(item.text());
  }
  return out;
}

// The allowed values of a check: one, a list, or "*" (any; an empty list).
std::vector<std::string> allowed_values(const Field& want) {
  std::vector<Field> items = want.is_list() ? want.items() : std::vector<Field>{want};
  if (items.empty()) want.fail("needs at least one allowed value (or '*' for any value)");
  std::vector<std::string> values;
  for (const Field& item : items) {
    if (!item.is_scalar()) item.fail("an allowed value must be a plain value, not a mapping");
    values.push_back(item.text());
  }
  if (values.size() == 1 && values[0] == "*") values.clear();
  return values;
}

void load_header_checks(const Field& field, Request& r) {
  field.expect_map("a mapping of header names to the expected value, a list, or '*'");
  for (const auto& [name, want] : field.entries()) {
    if (name.empty() || name.find_first_of(" \t:") != std::string::npos) {
      want.fail(fmt::format("invalid header name '{}'", name));
    }
    r.header_checks.push_back({name, allowed_values(want)});
    want_header(r, name);
  }
}

void load_checks(const Field& field, Request& r) {
  field.expect_map(
      "a mapping of JSON paths to the expected value, a list of allowed values, or '*' (any "
      "value), as in {$.status: healthy}; or body_contains:, body_matches:, headers:");
  for (const auto& [key, want] : field.entries()) {
    if (key == "headers") {
      load_header_checks(want, r);
      continue;
    }
    if (key == "body_contains") {
      for (std::string& text : scalar_list(want, "text")) {
        if (text.empty()) want.fail("the text to look for must not be empty");
        r.body_contains.push_back(std::move(text));
      }
      continue;
    }
    if (key == "body_matches") {
      std::vector<Field> items = want.is_list() ? want.items() : std::vector<Field>{want};
      if (items.empty()) want.fail("needs at least one regular expression");
      for (const Field& item : items) r.body_matches.push_back(load_pattern(item));
      continue;
    }
    if (key.empty() || key[0] != '$') {
      want.fail(fmt::format(
          "unknown check '{}' (a JSON path such as $.status, body_contains, body_matches or "
          "headers)",
          key));
    }
    try {
      validate_json_path(key);
    } catch (const std::invalid_argument& e) {
      want.fail(e.what());
    }
    r.checks.push_back({key, allowed_values(want)});
  }
}

}  // namespace

void load_response_rules(const Field& field, LoadState& state, Request& r) {
  if (auto f = field.find("expect")) r.expect = load_expect(*f);
  if (auto f = field.find("check")) load_checks(*f, r);
  if (auto f = field.find("extract")) load_extract(*f, state, r);
}

}  // namespace arrload::scenario::detail
