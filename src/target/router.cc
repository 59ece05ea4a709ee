#include "target/router.h"

#include <cctype>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/strings.h"

namespace arrload::target {
namespace {

using core::iequals;

// "/a/b/" -> {"a", "b", ""}: the empty last segment keeps the trailing slash significant.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  for (;;) {
    const std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string form_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

std::string_view Request::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return {};
}

std::string_view Request::param(std::string_view name) const {
  for (const auto& [n, v] : params) {
    if (n == name) return v;
  }
  return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (form_decode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? std::string() : form_decode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

Response error_response(int status, std::string_view detail) {
  boost::json::object body;
  body["detail"] = detail;
  Response res;
  res.status = status;
  res.body = boost::json::serialize(body);
  return res;
}

void Router::add(std::string_view method, std::string_view pattern, RouteGroup group,
                 double base_delay_ms, Handler handler) {
  Route route{std::string(method), {}, group, base_delay_ms, std::move(handler)};
  for (std::string_view s : split_path(pattern)) route.segments.emplace_back(s);
  routes_.push_back(std::move(route));
}

Router::Match Router::match(const Route& route, std::string_view method,
                            const std::vector<std::string_view>& segments) {
  if (route.segments.size() != segments.size()) return Match::kNone;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (is_param(want) ? segments[i].empty() : want != segments[i]) return Match::kNone;
  }
  // Like Starlette, a GET route also answers HEAD.
  const bool method_ok =
      route.method == "*" || route.method == method || (method == "HEAD" && route.method == "GET");
  return method_ok ? Match::kFull : Match::kPath;
}

bool Router::path_exists(std::string_view path) const {
  const std::vector<std::string_view> segments = split_path(path);
  for (const Route& route : routes_) {
    if (match(route, "", segments) != Match::kNone) return true;
  }
  return false;
}

Response Router::dispatch(Request& req) const {
  const std::vector<std::string_view> segments = split_path(req.path);
  std::string allowed;
  for (const Route& route : routes_) {
    const Match m = match(route, req.method, segments);
    if (m == Match::kPath) allowed += (allowed.empty() ? "" : ", ") + route.method;
    if (m != Match::kFull) continue;
    req.params.clear();
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const std::string& name = route.segments[i];
      if (is_param(name)) {
        req.params.emplace_back(std::string_view(name).substr(1, name.size() - 2), segments[i]);
      }
    }
    std::optional<Response> gated;
    if (gate_) gated = gate_(route.group, req);
    Response res = gated ? std::move(*gated) : route.handler(req);
    if (res.model_delay_ms == 0) res.model_delay_ms = route.base_delay_ms;
    res.group = route.group;
    return res;
  }
  if (!allowed.empty()) {
    Response res = error_response(405, "Method Not Allowed");
    res.headers.emplace_back("Allow", allowed);
    return res;
  }
  if (req.path.size() > 1) {
    std::string other(req.path);
    if (other.back() == '/') {
      other.pop_back();
    } else {
      other.push_back('/');
    }
    if (path_exists(other)) {
      Response res;
      res.status = 307;
      const std::string_view host = req.header("Host");
      std::string location = host.empty() ? other : "http://" + std::string(host) + other;
      if (!req.query.empty()) location += "?" + std::string(req.query);
      res.headers.emplace_back("Location", std::move(location));
      return res;
    }
  }
  return error_response(404, "Not Found");
}

}  // namespace arrload::target
