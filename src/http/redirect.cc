#include "http/redirect.h"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "core/strings.h"

namespace arrload::http {

std::optional<RedirectTarget> resolve_redirect(const Url& origin, std::string_view target,
                                               std::string_view location) {
  std::string base = origin.tls ? "https://" : "http://";
  const bool ipv6 = origin.host.find(':') != std::string::npos;
  base += ipv6 ? "[" + origin.host + "]" : origin.host;
  base += ":" + origin.port;
  if (target.empty() || target.front() != '/') base += '/';
  base += target;
  auto parsed_base = boost::urls::parse_uri(base);
  auto ref = boost::urls::parse_uri_reference(location);
  if (!parsed_base || !ref) return std::nullopt;
  boost::urls::url dest;
  if (!boost::urls::resolve(*parsed_base, *ref, dest)) return std::nullopt;

  RedirectTarget out;
  const std::string scheme = core::to_lower(dest.scheme());
  if (scheme != "http" && scheme != "https") return std::nullopt;
  out.origin.tls = scheme == "https";
  out.origin.host = dest.host_address();
  if (out.origin.host.empty()) return std::nullopt;
  out.origin.port = dest.has_port() && !dest.port().empty() ? std::string(dest.port())
                    : out.origin.tls                        ? "443"
                                                            : "80";
  out.target = dest.encoded_path();
  if (out.target.empty() || out.target.front() != '/') out.target.insert(0, "/");
  if (dest.has_query()) out.target += "?" + std::string(dest.encoded_query());
  return out;
}

std::string_view redirected_method(int status, std::string_view method) {
  if (method == "HEAD") return method;
  if (status == 303 || status == 302) return "GET";
  if (status == 301 && method == "POST") return "GET";
  return method;
}

bool same_origin(const Url& a, const Url& b) {
  return a.tls == b.tls && a.port == b.port && core::iequals(a.host, b.host);
}

}  // namespace arrload::http
