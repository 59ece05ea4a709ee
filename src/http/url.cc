#include "http/url.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace arrload::http {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool valid_port(std::string_view p) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  return ec == std::errc() && end == p.data() + p.size() && value >= 1 && value <= 65535;
}

bool is_default_port(const Url& u) { return u.port == (u.tls ? "443" : "80"); }

std::string bracketed_host(const Url& u) {
  return u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
}

}  // namespace

std::optional<Url> Url::parse(std::string_view text) {
  text = trim(text);
  // Locust accepts "localhost:8089"; Boost.URL would read "localhost" as the scheme.
  std::string with_scheme;
  if (text.find("://") == std::string_view::npos) {
    with_scheme = "http://";
  }
  with_scheme.append(text);

  auto parsed = boost::urls::parse_uri(with_scheme);
  if (!parsed) return std::nullopt;
  const boost::urls::url_view& u = *parsed;
  // A base URL carries no credentials, query or fragment: they could not be combined with the
  // per-request targets, so reject them instead of silently dropping them.
  if (u.has_userinfo() || u.has_query() || u.has_fragment()) return std::nullopt;

  Url out;
  const std::string scheme = lower(u.scheme());
  if (scheme == "https" || scheme == "wss") {
    out.tls = true;
  } else if (scheme != "http" && scheme != "ws") {
    return std::nullopt;
  }
  out.host = u.host_address();
  if (out.host.empty()) return std::nullopt;
  if (u.has_port() && !u.port().empty()) {
    if (!valid_port(u.port())) return std::nullopt;
    out.port = u.port();
  } else {
    out.port = out.tls ? "443" : "80";
  }
  std::string_view path = u.encoded_path();
  // Boost.URL reads "http://h:x" as port "" and path "x"; a path after an authority has a '/'.
  if (!path.empty() && path.front() != '/') return std::nullopt;
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  out.base_path = path;
  return out;
}

std::string Url::to_string() const {
  return std::string(tls ? "https://" : "http://") + bracketed_host(*this) + ":" + port + base_path;
}

std::string Url::host_header() const {
  if (is_default_port(*this)) return bracketed_host(*this);
  return bracketed_host(*this) + ":" + port;
}

}  // namespace arrload::http
