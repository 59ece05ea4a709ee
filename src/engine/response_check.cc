#include "engine/response_check.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/redact.h"
#include "core/strings.h"

#include "scenario/json_path.h"

namespace arrload::engine {

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

namespace {

std::string describe_status(int status) {
  std::string_view reason = reason_phrase(status);
  return reason.empty() ? fmt::format("{}", status) : fmt::format("{} {}", status, reason);
}

std::string describe_expected(const scenario::StatusSet& expect) {
  std::string out;
  for (auto [lo, hi] : expect.ranges) {
    if (!out.empty()) out += ", ";
    out += lo == hi ? fmt::format("{}", lo) : fmt::format("{}-{}", lo, hi);
  }
  return out;
}

}  // namespace

bool check_response(const scenario::Request& req, const http::Response& resp, std::string_view path,
                    std::string& message) {
  if (resp.error != core::NetError::kNone) {
    message.assign(core::to_string(resp.error));
    // Which TLS failure it was (an expired certificate, a wrong name) is worth the words.
    if (resp.error == core::NetError::kTls && !resp.error_detail.empty()) {
      message = fmt::format("SSLError: {}", resp.error_detail);
    }
    // So is the redirect limit, the Location that could not be followed, the decoding error,
    // the timeout, the host, what was malformed, the body limit: all stable for one cause.
    const bool detailed =
        resp.error == core::NetError::kTooManyRedirects ||
        resp.error == core::NetError::kBadRedirect ||
        resp.error == core::NetError::kContentDecoding || resp.error == core::NetError::kTimeout ||
        resp.error == core::NetError::kResolve || resp.error == core::NetError::kProtocol ||
        resp.error == core::NetError::kBodyTooLarge;
    if (detailed && !resp.error_detail.empty()) {
      const std::string_view text = message;
      message = fmt::format("{}: {}", text.substr(0, text.find(':')), resp.error_detail);
    }
    return true;
  }
  if (req.expect.ranges.empty()) {
    if (resp.status < 400) return false;
    const char* kind = resp.status < 500 ? "Client Error" : "Server Error";
    message = fmt::format("HTTPError('{} {}: {} for url: {}')", resp.status, kind,
                          reason_phrase(resp.status), path);
    return true;
  }
  if (req.expect.allows(resp.status)) return false;
  message = fmt::format("unexpected status {} (expected {}) for url: {}",
                        describe_status(resp.status), describe_expected(req.expect), path);
  return true;
}

namespace {

// Whether the last key of a JSON path ($.user.api_key, $['token']) names a secret: its value
// and the expected ones are then masked in the failure message (core/redact.h).
bool secret_path(std::string_view path) {
  std::size_t end = path.size();
  while (end > 0 && std::string_view("]\"'").find(path[end - 1]) != std::string_view::npos) --end;
  std::size_t begin = end;
  while (begin > 0 && std::string_view(".['\"$").find(path[begin - 1]) == std::string_view::npos) {
    --begin;
  }
  return core::is_secret_name(path.substr(begin, end - begin));
}

}  // namespace

bool check_body(const scenario::Request& req, std::string_view body, core::Rng& rng,
                std::string& message) {
  for (const scenario::BodyCheck& check : req.checks) {
    std::optional<std::string> value = scenario::extract_json(body, check.json_path, rng);
    if (!value) {
      message = fmt::format("check {}: no value in the response", check.json_path);
      return true;
    }
    if (check.values.empty()) continue;
    if (std::find(check.values.begin(), check.values.end(), *value) != check.values.end()) {
      continue;
    }
    if (secret_path(check.json_path)) {
      message =
          fmt::format("check {}: got '{}', expected another value", check.json_path, core::kMask);
      return true;
    }
    std::string wanted;
    for (const std::string& v : check.values) wanted += (wanted.empty() ? "" : ", ") + v;
    message =
        fmt::format("check {}: got '{}', expected {}", check.json_path, excerpt(*value), wanted);
    return true;
  }
  return false;
}

namespace {

constexpr std::size_t kShown = 60;  // failure messages group by text: keep them short

// The length of the UTF-8 sequence at the start of TEXT (1-4), 0 when it is not a valid one
// (a stray byte, an overlong form, a surrogate, past U+10FFFF, or cut short).
std::size_t utf8_sequence(std::string_view text) {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  std::size_t n = c >= 0xc2 && c <= 0xdf   ? 2
                  : c >= 0xe0 && c <= 0xef ? 3
                  : c >= 0xf0 && c <= 0xf4 ? 4
                                           : 0;
  if (n == 0 || text.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    if ((b(i) & 0xc0) != 0x80) return 0;
  }
  if ((c == 0xe0 && b(1) < 0xa0) || (c == 0xed && b(1) > 0x9f) || (c == 0xf0 && b(1) < 0x90) ||
      (c == 0xf4 && b(1) > 0x8f)) {
    return 0;
  }
  return n;
}

}  // namespace

std::string excerpt(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size() && out.size() < kShown) {
    const std::size_t n = utf8_sequence(text.substr(i));
    if (n == 0) {
      out += "\xef\xbf\xbd";  // U+FFFD
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  if (i < text.size()) out += "...";
  return out;
}

namespace {

// VALUE equals WANTED, or is WANTED followed by parameters ("text/html; charset=utf-8").
bool header_value_matches(std::string_view value, std::string_view wanted) {
  if (value == wanted) return true;
  if (!value.starts_with(wanted) || wanted.find(';') != std::string_view::npos) return false;
  std::string_view rest = value.substr(wanted.size());
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return !rest.empty() && rest.front() == ';';
}

const std::string* find_header(const std::vector<std::pair<std::string, std::string>>& headers,
                               std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (core::iequals(n, name)) return &v;
  }
  return nullptr;
}

}  // namespace

bool check_headers(const scenario::Request& req,
                   const std::vector<std::pair<std::string, std::string>>& headers,
                   std::string& message) {
  for (const scenario::HeaderCheck& check : req.header_checks) {
    const std::string* value = find_header(headers, check.name);
    // A secret header's name is not followed by ':', where masking would take the next word.
    const bool secret = core::is_secret_name(check.name);
    if (value == nullptr) {
      message = fmt::format("check header {}{} not in the response", check.name, secret ? "" : ":");
      return true;
    }
    if (check.values.empty()) continue;
    const bool ok =
        std::any_of(check.values.begin(), check.values.end(),
                    [&](const std::string& w) { return header_value_matches(*value, w); });
    if (ok) continue;
    if (secret) {  // an echoed credential: neither side is shown
      message =
          fmt::format("check header {} got '{}', expected another value", check.name, core::kMask);
      return true;
    }
    message = fmt::format("check header {}: got '{}', expected {}", check.name, excerpt(*value),
                          fmt::join(check.values, ", "));
    return true;
  }
  return false;
}

bool check_text(const scenario::Request& req, std::string_view body, std::string& message) {
  for (const std::string& text : req.body_contains) {
    if (body.find(text) != std::string_view::npos) continue;
    message = fmt::format("check body_contains: '{}' is not in the response", excerpt(text));
    return true;
  }
  for (const scenario::Pattern& pattern : req.body_matches) {
    if (pattern.search(body)) continue;
    message =
        fmt::format("check body_matches: /{}/ matched nothing in the response", pattern.source());
    return true;
  }
  return false;
}

std::optional<std::string> extract_value(const scenario::Extraction& x, const http::Response& resp,
                                         core::Rng& rng, std::string& message) {
  using Source = scenario::Extraction::Source;
  std::optional<std::string> value;
  switch (x.source) {
    case Source::kJson:
      value = scenario::extract_json(resp.body, x.json_path, rng);
      if (!value)
        message = fmt::format("extract {}: {} matched nothing in the response", x.var, x.json_path);
      break;
    case Source::kHeader:
      if (const std::string* h = find_header(resp.headers, x.header)) value = *h;
      if (!value)
        message = fmt::format("extract {}: no header {} in the response", x.var, x.header);
      break;
    case Source::kRegex:
      value.emplace();
      if (!x.regex->search(resp.body, &*value)) {
        value.reset();
        message = fmt::format("extract {}: /{}/ matched nothing in the response", x.var,
                              x.regex->source());
      }
      break;
  }
  return value;
}

}  // namespace arrload::engine
