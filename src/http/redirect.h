#pragma once
// How the client follows a redirect: which statuses redirect, where a Location leads, and what
// becomes of the method and body, as python-requests (and so Locust) does. No I/O.
#include <optional>
#include <string>
#include <string_view>

#include "http/url.h"

namespace arrload::http {

// 301, 302, 303, 307 and 308.
inline bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

struct RedirectTarget {
  Url origin;          // scheme, host and port (base_path empty)
  std::string target;  // path and query, starting with '/'; the fragment dropped
};

// Where LOCATION (absolute, scheme-relative, absolute-path or relative) leads from the request
// for TARGET (path and query) at ORIGIN; nullopt when it is unparseable or not http(s).
std::optional<RedirectTarget> resolve_redirect(const Url& origin, std::string_view target,
                                               std::string_view location);

// The method of the next hop: GET after a 303 (but HEAD stays HEAD), after a 302 for anything
// but HEAD, and after a 301 for a POST; otherwise METHOD.
std::string_view redirected_method(int status, std::string_view method);

// Whether the next hop sends the body again: only after 307 and 308.
inline bool redirect_keeps_body(int status) { return status == 307 || status == 308; }

// True when A and B are the same scheme, host (ignoring case) and port.
bool same_origin(const Url& a, const Url& b);

}  // namespace arrload::http
