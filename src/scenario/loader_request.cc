// Requests: method, path with query, headers, body, expectations and extractions.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

#include "scenario/escape.h"
#include "scenario/json_path.h"
#include "scenario/loader_internal.h"

namespace arrload::scenario::detail {

namespace {

constexpr std::array<std::string_view, 7> kMethods = {"GET",    "POST", "PUT",    "PATCH",
                                                      "DELETE", "HEAD", "OPTIONS"};

std::string checked_method(const Field& field, std::string method) {
  std::transform(method.begin(), method.end(), method.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (std::find(kMethods.begin(), kMethods.end(), method) == kMethods.end()) {
    field.fail(
        fmt::format("unknown method '{}' (allowed: GET, POST, PUT, PATCH, DELETE, HEAD, "
                    "OPTIONS)",
                    method));
  }
  return method;
}

ParsedText parse_parts(const Field& field, std::string_view text, LoadState& state,
                       TextEscape escape) {
  try {
    return parse_template_parts(text, state.scope_for(field), escape);
  } catch (const std::invalid_argument& e) {
    field.fail(e.what());
  }
}

ParsedText load_path(const Field& field, std::string_view text, LoadState& state) {
  ParsedText path = parse_parts(field, text, state, TextEscape::kNone);
  if (path.source.empty() || path.source[0] != '/') {
    field.fail(
        fmt::format("the path must start with '/', got '{}' (the scheme and host belong "
                    "in host:)",
                    path.source));
  }
  // Placeholder values are sent as is, but a literal space would break the request line.
  for (const Template::Part& part : path.parts) {
    const auto* lit = std::get_if<Template::Literal>(&part);
    if (lit != nullptr && lit->text.find_first_of(" \t\r\n") != std::string::npos) {
      field.fail("the path cannot contain spaces (write %20, or put the value in query:)");
    }
  }
  return path;
}

// Appends ?key=value&... to PATH; values may be templates, encoded when rendered.
void append_query(const Field& query, LoadState& state, ParsedText& path) {
  query.expect_map("a mapping of query parameters, as in {page: 1}");
  char sep = path.source.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [key, value] : query.entries()) {
    std::vector<Field> values = value.is_list() ? value.items() : std::vector<Field>{value};
    for (const Field& v : values) {
      std::string name(1, sep);
      append_url_encoded(key, name);
      name += '=';
      path.parts.emplace_back(Template::Literal{name});
      ParsedText parsed = parse_parts(v, v.raw_text(), state, TextEscape::kUrl);
      std::move(parsed.parts.begin(), parsed.parts.end(), std::back_inserter(path.parts));
      path.source += fmt::format("{}{}={}", sep, key, parsed.source);
      sep = '&';
    }
  }
}

void load_headers(const Field& headers, LoadState& state, Request& r) {
  headers.expect_map("a mapping of header names to values");
  for (const auto& [name, value] : headers.entries()) {
    bool bad = name.empty() || name.find_first_of(" \t:") != std::string::npos;
    if (bad) value.fail(fmt::format("invalid header name '{}'", name));
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (lower == "content-type") {
      value.fail("set the body's type with content_type: next to json: or body:, not as a header");
    }
    r.headers.emplace_back(name, load_template(value, state));
  }
}

// JSON has no room for YAML's other plain scalars (0x1F, .5, yes), so those stay strings.
bool is_json_number(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.' && (++i, !digits())) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

void append_literal(std::string_view text, ParsedText& out) {
  out.parts.emplace_back(Template::Literal{std::string(text)});
  out.source += text;
}

// Writes FIELD as JSON text into OUT; string values may hold templates.
void append_json(const Field& field, LoadState& state, ParsedText& out) {
  if (field.is_null()) return append_literal("null", out);
  if (field.is_map() || field.is_list()) {
    bool map = field.is_map();
    append_literal(map ? "{" : "[", out);
    std::vector<std::pair<std::string, Field>> entries;
    if (map) entries = field.entries();
    std::vector<Field> items = map ? std::vector<Field>{} : field.items();
    std::size_t n = map ? entries.size() : items.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) append_literal(",", out);
      if (map) {
        std::string key = "\"";
        append_json_escaped(entries[i].first, key);
        append_literal(key + "\":", out);
      }
      append_json(map ? entries[i].second : items[i], state, out);
    }
    return append_literal(map ? "}" : "]", out);
  }
  if (!field.is_quoted()) {
    std::string plain = field.text();
    if (plain == "true" || plain == "false" || is_json_number(plain)) {
      return append_literal(plain, out);
    }
  }
  append_literal("\"", out);
  ParsedText s = parse_parts(field, field.raw_text(), state, TextEscape::kJson);
  std::move(s.parts.begin(), s.parts.end(), std::back_inserter(out.parts));
  out.source += s.source;
  append_literal("\"", out);
}

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

void load_body(const Field& field, LoadState& state, Request& r) {
  std::optional<Field> json = field.find("json");
  std::optional<Field> body = field.find("body");
  std::optional<Field> type = field.find("content_type");
  if (json && body) body->fail("give either json: or body:, not both");
  if (json) {
    ParsedText text;
    append_json(*json, state, text);
    r.body = Template(std::move(text.parts), true);
    r.body->set_source(std::move(text.source));
    r.content_type = "application/json";
  } else if (body) {
    r.body = load_template(*body, state);
    r.content_type = "text/plain";
  } else if (type) {
    type->fail("content_type needs a body: or json:");
  }
  if (type) r.content_type = type->text();
}

// follow_redirects: true/false and max_redirects: N (default 10).
void load_redirects(const Field& field, Request& r) {
  std::optional<Field> follow = field.find("follow_redirects");
  std::optional<Field> max = field.find("max_redirects");
  if (max) {
    const std::int64_t n = max->integer();
    if (n < 0 || n > 1000) max->fail("max_redirects must be 0 to 1000");
    r.max_redirects = static_cast<int>(n);
  }
  if (follow && !follow->boolean()) {
    if (max && r.max_redirects > 0) max->fail("max_redirects needs follow_redirects: true");
    r.max_redirects = 0;
  }
}

Request load_short_request(const Field& field, LoadState& state) {
  Request r;
  r.where = field.where();
  std::string text = field.raw_text();
  std::size_t space = text.find_first_of(" \t");
  std::string_view path = text;
  if (text.empty() || text[0] != '/') {
    if (space == std::string::npos) {
      field.fail(fmt::format("expected 'METHOD /path' (e.g. 'GET /health'), got '{}'", text));
    }
    std::string method = text.substr(0, space);
    try {
      method = substitute_env(method);
    } catch (const std::invalid_argument& e) {
      field.fail(e.what());
    }
    r.method = checked_method(field, method);
    std::size_t start = text.find_first_not_of(" \t", space);
    path = start == std::string::npos ? "" : std::string_view(text).substr(start);
  }
  ParsedText parsed = load_path(field, path, state);
  r.path = Template(std::move(parsed.parts));
  r.path.set_source(std::move(parsed.source));
  return r;
}

}  // namespace

Template load_template(const Field& field, LoadState& state) {
  ParsedText parsed = parse_parts(field, field.raw_text(), state, TextEscape::kNone);
  Template t(std::move(parsed.parts));
  t.set_source(std::move(parsed.source));
  return t;
}

std::string load_category(const Field& field) {
  std::string c = field.text();
  bool identifier = !c.empty() && std::all_of(c.begin(), c.end(), [](unsigned char ch) {
    return std::isalnum(ch) || ch == '_' || ch == '-';
  });
  if (!identifier) {
    field.fail(fmt::format(
        "bad category '{}' (a budget category name such as health, read, write, slow or "
        "websocket: letters, digits, _ and -)",
        c));
  }
  return c;
}

namespace {

constexpr std::string_view kWsKinds = "connect, send, listen or close";

// A WebSocket step: {ws: connect, path: /api/v1/ws}, {ws: send, json: {...}, await: ack},
// {ws: listen, duration: 5s} or {ws: close}.
Request load_ws_step(const Field& field, LoadState& state) {
  Request r;
  r.where = field.where();
  r.method = "WS";
  WsStep step;
  Field kind = field.get("ws", "");
  std::string k = kind.text();
  if (k == "connect") {
    field.check_keys({"ws", "path", "query", "headers", "name", "timeout", "await", "category"});
    Field path_field = field.get("path", "the WebSocket path, as in /api/v1/ws");
    ParsedText path = load_path(path_field, path_field.raw_text(), state);
    if (auto f = field.find("query")) append_query(*f, state, path);
    r.path = Template(std::move(path.parts));
    r.path.set_source(std::move(path.source));
    if (auto f = field.find("headers")) load_headers(*f, state, r);
  } else if (k == "send") {
    field.check_keys(
        {"ws", "json", "body", "name", "timeout", "await", "category", "content_type"});
    if (!field.find("json") && !field.find("body")) {
      field.fail("ws: send needs the message as json: or body:");
    }
    load_body(field, state, r);
    if (auto f = field.find("content_type")) f->fail("a WebSocket message has no content type");
  } else if (k == "listen") {
    field.check_keys({"ws", "duration", "category"});
    Field d = field.get("duration", "how long to read messages, as in 5s");
    step.listen = d.duration();
    if (step.listen.count() <= 0) d.fail("must be greater than 0");
  } else if (k == "close") {
    field.check_keys({"ws", "category"});
  } else {
    kind.fail(fmt::format("unknown WebSocket step '{}' (expected {})", k, kWsKinds));
  }
  step.kind = k == "connect"  ? WsStep::Kind::kConnect
              : k == "send"   ? WsStep::Kind::kSend
              : k == "listen" ? WsStep::Kind::kListen
                              : WsStep::Kind::kClose;
  if (auto f = field.find("await")) {
    step.await_type = f->text();
    if (step.await_type.empty()) f->fail("the message type to wait for must not be empty");
  }
  if (auto f = field.find("name")) r.name = f->text();
  if (auto f = field.find("timeout")) {
    r.timeout = f->duration();
    if (r.timeout->count() <= 0) f->fail("must be greater than 0");
  }
  if (auto f = field.find("category")) r.category = load_category(*f);
  r.ws = std::move(step);
  return r;
}

}  // namespace

Request load_request(const Field& field, LoadState& state) {
  if (field.is_scalar()) return load_short_request(field, state);
  field.expect_map("a request: 'METHOD /path' or a mapping with path: (or ws:)");
  if (field.find("ws")) return load_ws_step(field, state);
  field.check_keys({"method", "path", "query", "headers", "json", "body", "content_type", "name",
                    "timeout", "expect", "check", "extract", "category", "follow_redirects",
                    "max_redirects"});
  Request r;
  r.where = field.where();
  if (auto f = field.find("method")) r.method = checked_method(*f, f->text());
  Field path_field = field.get("path", "the URL path, as in /api/v1/shows/");
  ParsedText path = load_path(path_field, path_field.raw_text(), state);
  if (auto f = field.find("query")) append_query(*f, state, path);
  r.path = Template(std::move(path.parts));
  r.path.set_source(std::move(path.source));
  if (auto f = field.find("headers")) load_headers(*f, state, r);
  load_body(field, state, r);
  if (auto f = field.find("name")) r.name = f->text();
  if (auto f = field.find("timeout")) {
    r.timeout = f->duration();
    if (r.timeout->count() <= 0) f->fail("must be greater than 0");
  }
  if (auto f = field.find("expect")) r.expect = load_expect(*f);
  if (auto f = field.find("check")) load_checks(*f, r);
  if (auto f = field.find("extract")) load_extract(*f, state, r);
  if (auto f = field.find("category")) r.category = load_category(*f);
  load_redirects(field, r);
  return r;
}

std::vector<Request> load_request_list(const Field& field, LoadState& state) {
  field.expect_list("a list of requests");
  std::vector<Request> out;
  for (const Field& item : field.items()) out.push_back(load_request(item, state));
  return out;
}

}  // namespace arrload::scenario::detail
