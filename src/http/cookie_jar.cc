#include "http/cookie_jar.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <ctime>
#include <limits>

#include "core/strings.h"

namespace arrload::http {
namespace {

using core::iequals;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The path part of a request target, without the query.
std::string_view path_of(std::string_view target) {
  target = target.substr(0, target.find_first_of("?#"));
  return target.empty() ? std::string_view("/") : target;
}

// RFC 6265 5.1.4: the directory of the request path.
std::string default_path(std::string_view target) {
  std::string_view path = path_of(target);
  if (path.front() != '/') return "/";
  const std::size_t last = path.rfind('/');
  return last == 0 ? "/" : std::string(path.substr(0, last));
}

// RFC 6265 5.1.3; DOMAIN is lower case, HOST any case (host names are compared without case).
bool domain_matches(std::string_view host, std::string_view domain) {
  if (iequals(host, domain)) return true;
  return host.size() > domain.size() && iequals(host.substr(host.size() - domain.size()), domain) &&
         host[host.size() - domain.size() - 1] == '.';
}

// RFC 6265 5.1.4.
bool path_matches(std::string_view request_path, std::string_view cookie_path) {
  if (request_path == cookie_path) return true;
  if (!request_path.starts_with(cookie_path)) return false;
  return cookie_path.back() == '/' || request_path[cookie_path.size()] == '/';
}

bool is_ip_address(std::string_view host) {
  return host.find(':') != std::string_view::npos ||
         std::all_of(host.begin(), host.end(),
                     [](unsigned char c) { return std::isdigit(c) || c == '.'; });
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  const bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || end != s.data() + s.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) v = std::numeric_limits<std::int32_t>::max();
  return negative ? -v : v;
}

struct Attributes {
  std::optional<std::string> domain;
  std::optional<std::string> path;
  std::optional<std::int64_t> max_age;
  std::optional<std::int64_t> expires;
  bool secure = false;
};

Attributes parse_attributes(std::string_view rest) {
  Attributes a;
  while (!rest.empty()) {
    const std::size_t semi = rest.find(';');
    std::string_view item = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    const std::size_t eq = item.find('=');
    const std::string_view key = trim(item.substr(0, eq));
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : trim(item.substr(eq + 1));
    if (iequals(key, "Domain") && !value.empty()) {
      std::string_view d = value.front() == '.' ? value.substr(1) : value;
      a.domain = core::to_lower(d);
    } else if (iequals(key, "Path")) {
      a.path =
          !value.empty() && value.front() == '/' ? std::optional<std::string>(value) : std::nullopt;
    } else if (iequals(key, "Max-Age")) {
      if (auto v = parse_int(value)) a.max_age = *v;
    } else if (iequals(key, "Expires")) {
      if (auto v = parse_cookie_date(value)) a.expires = *v;
    } else if (iequals(key, "Secure")) {
      a.secure = true;
    }
  }
  return a;
}

}  // namespace

bool CookieJar::store(std::string_view set_cookie, std::string_view any_case_host,
                      std::string_view target, std::int64_t now) {
  const std::string host = core::to_lower(any_case_host);
  const std::size_t semi = set_cookie.find(';');
  const std::string_view pair = set_cookie.substr(0, semi);
  const std::size_t eq = pair.find('=');
  if (eq == std::string_view::npos) return false;
  Cookie c;
  c.name = trim(pair.substr(0, eq));
  c.value = trim(pair.substr(eq + 1));
  if (c.name.empty()) return false;
  const Attributes a = parse_attributes(
      semi == std::string_view::npos ? std::string_view() : set_cookie.substr(semi + 1));
  c.domain = host;
  if (a.domain && *a.domain != host) {
    // A cookie for a parent domain is fine; one for another site, or a Domain on an address, is
    // not (RFC 6265 5.3 step 6).
    if (is_ip_address(host) || !domain_matches(host, *a.domain)) return false;
    c.domain = *a.domain;
    c.host_only = false;
  }
  c.path = a.path ? *a.path : default_path(target);
  c.secure = a.secure;
  bool expired = false;
  if (a.max_age) {  // Max-Age wins over Expires
    expired = *a.max_age <= 0;
    c.expires = now + *a.max_age;
  } else if (a.expires) {
    expired = *a.expires <= now;
    c.expires = *a.expires;
  }
  auto same = std::find_if(cookies_.begin(), cookies_.end(), [&](const Cookie& o) {
    return o.name == c.name && o.domain == c.domain && o.path == c.path;
  });
  if (expired) {
    if (same != cookies_.end()) cookies_.erase(same);
    return true;
  }
  if (same != cookies_.end()) {
    *same = std::move(c);
  } else {
    cookies_.push_back(std::move(c));
  }
  return true;
}

void CookieJar::header_for(std::string_view host, std::string_view target, bool secure,
                           std::int64_t now, std::string& out) const {
  out.clear();
  const std::string_view path = path_of(target);
  // RFC 6265 5.4: longer paths first, then in the order they were set. Jars are small.
  std::array<const Cookie*, 64> picked{};
  std::size_t n = 0;
  for (const Cookie& c : cookies_) {
    if (n == picked.size()) break;
    if (c.secure && !secure) continue;
    if (c.expires != 0 && c.expires <= now) continue;
    if (c.host_only ? !iequals(host, c.domain) : !domain_matches(host, c.domain)) continue;
    if (!path_matches(path, c.path)) continue;
    picked[n++] = &c;
  }
  std::stable_sort(
      picked.begin(), picked.begin() + static_cast<std::ptrdiff_t>(n),
      [](const Cookie* a, const Cookie* b) { return a->path.size() > b->path.size(); });
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out.append("; ");
    out.append(picked[i]->name).append("=").append(picked[i]->value);
  }
}

std::optional<std::string> CookieJar::get(std::string_view name) const {
  const std::string* value = find(name);
  return value != nullptr ? std::optional<std::string>(*value) : std::nullopt;
}

const std::string* CookieJar::find(std::string_view name) const {
  for (const Cookie& c : cookies_) {
    if (c.name == name) return &c.value;
  }
  return nullptr;
}

void CookieJar::set(std::string_view name, std::string_view value, std::string_view any_case_host) {
  const std::string host = core::to_lower(any_case_host);
  for (Cookie& c : cookies_) {
    if (c.name == name && c.domain == host && c.path == "/") {
      c.value = value;
      c.expires = 0;
      return;
    }
  }
  Cookie c;
  c.name = name;
  c.value = value;
  c.domain = host;
  c.path = "/";
  cookies_.push_back(std::move(c));
}

std::optional<std::int64_t> parse_cookie_date(std::string_view text) {
  // RFC 6265 5.1.1: tokens split by delimiters; the first of each kind found is used.
  auto is_delimiter = [](unsigned char c) {
    return c == 0x09 || (c >= 0x20 && c <= 0x2f) || (c >= 0x3b && c <= 0x40) ||
           (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
  };
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  int hour = -1, minute = -1, second = -1, day = -1, month = -1, year = -1;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_delimiter(static_cast<unsigned char>(text[i]))) ++i;
    const std::size_t start = i;
    while (i < text.size() && !is_delimiter(static_cast<unsigned char>(text[i]))) ++i;
    const std::string_view token = text.substr(start, i - start);
    if (token.empty()) continue;
    int h = 0, m = 0, s = 0;
    char c1 = 0, c2 = 0;
    const std::string t(token);
    if (hour < 0 && std::sscanf(t.c_str(), "%2d%c%2d%c%2d", &h, &c1, &m, &c2, &s) == 5 &&
        c1 == ':' && c2 == ':') {
      hour = h, minute = m, second = s;
    } else if (day < 0 && token.size() <= 2 && std::isdigit(static_cast<unsigned char>(t[0]))) {
      day = std::stoi(t);
    } else if (month < 0 && token.size() >= 3 &&
               std::find(kMonths.begin(), kMonths.end(), core::to_lower(token.substr(0, 3))) !=
                   kMonths.end()) {
      month = static_cast<int>(
          std::find(kMonths.begin(), kMonths.end(), core::to_lower(token.substr(0, 3))) -
          kMonths.begin());
    } else if (year < 0 && token.size() >= 2 && token.size() <= 4 &&
               std::all_of(token.begin(), token.end(),
                           [](unsigned char c) { return std::isdigit(c); })) {
      year = std::stoi(t);
    }
  }
  if (year >= 70 && year <= 99) year += 1900;
  if (year >= 0 && year <= 69) year += 2000;
  if (hour < 0 || day < 1 || day > 31 || month < 0 || year < 1601 || hour > 23 || minute > 59 ||
      second > 59) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace arrload::http
