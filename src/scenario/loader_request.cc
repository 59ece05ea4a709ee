// Requests: method, path with query, headers, timeouts, redirects; WebSocket steps. Bodies are
// in loader_body.cc, what is checked and extracted from responses in loader_response.cc.
#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

#include <fmt/format.h>

#include "scenario/escape.h"
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

ParsedText load_path(const Field& field, std::string_view text, LoadState& state) {
  ParsedText path = parse_text(field, text, state, TextEscape::kNone);
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
      ParsedText parsed = parse_text(v, v.raw_text(), state, TextEscape::kUrl);
      std::move(parsed.parts.begin(), parsed.parts.end(), std::back_inserter(path.parts));
      path.source += fmt::format("{}{}={}", sep, key, parsed.source);
      sep = '&';
    }
  }
}

void load_headers(const Field& headers, LoadState& state, Request& r) {
  r.headers = load_header_map(headers, state);
}

// set_cookies: {NAME: VALUE}; values may be templates.
void load_set_cookies(const Field& field, LoadState& state, Request& r) {
  field.expect_map("a mapping of cookie names to values, as in {consent: yes}");
  for (const auto& [name, value] : field.entries()) {
    if (name.empty() || name.find_first_of(" \t;=,") != std::string::npos) {
      value.fail(fmt::format("invalid cookie name '{}'", name));
    }
    r.set_cookies.emplace_back(name, load_template(value, state));
  }
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

ParsedText parse_text(const Field& field, std::string_view text, LoadState& state,
                      TextEscape escape) {
  try {
    return parse_template_parts(text, state.scope_for(field), escape);
  } catch (const std::invalid_argument& e) {
    field.fail(e.what());
  }
}

std::vector<std::pair<std::string, Template>> load_header_map(const Field& headers,
                                                              LoadState& state) {
  headers.expect_map("a mapping of header names to values");
  std::vector<std::pair<std::string, Template>> out;
  for (const auto& [name, value] : headers.entries()) {
    bool bad = name.empty() || name.find_first_of(" \t:") != std::string::npos;
    if (bad) value.fail(fmt::format("invalid header name '{}'", name));
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (lower == "content-type") {
      value.fail("set the body's type with content_type: next to json: or body:, not as a header");
    }
    out.emplace_back(name, load_template(value, state));
  }
  return out;
}

Template load_template(const Field& field, LoadState& state) {
  ParsedText parsed = parse_text(field, field.raw_text(), state, TextEscape::kNone);
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
  field.check_keys({"method", "path", "query", "headers", "json", "body", "form", "files",
                    "content_type", "name", "timeout", "expect", "check", "extract", "category",
                    "follow_redirects", "max_redirects", "set_cookies"});
  Request r;
  r.where = field.where();
  if (auto f = field.find("method")) r.method = checked_method(*f, f->text());
  Field path_field = field.get("path", "the URL path, as in /api/v1/shows/");
  ParsedText path = load_path(path_field, path_field.raw_text(), state);
  if (auto f = field.find("query")) append_query(*f, state, path);
  r.path = Template(std::move(path.parts));
  r.path.set_source(std::move(path.source));
  if (auto f = field.find("headers")) load_headers(*f, state, r);
  if (auto f = field.find("set_cookies")) load_set_cookies(*f, state, r);
  load_body(field, state, r);
  if (auto f = field.find("name")) r.name = f->text();
  if (auto f = field.find("timeout")) {
    r.timeout = f->duration();
    if (r.timeout->count() <= 0) f->fail("must be greater than 0");
  }
  load_response_rules(field, state, r);
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
