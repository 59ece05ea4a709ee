#include "http/request_writer.h"

#include <cctype>
#include <charconv>

#include "core/strings.h"
#include "http/decoder.h"

namespace arrload::http {
namespace {

using core::iequals;

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

// Methods that carry a body by definition get "Content-Length: 0" when empty, as python-requests
// sends, because some servers answer 411 otherwise.
bool expects_body(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

struct Overrides {
  bool host = false;
  bool user_agent = false;
  bool content_type = false;
  bool connection = false;
  bool accept_encoding = false;
  bool cookie = false;
};

Overrides find_overrides(const Request& req) {
  Overrides o;
  if (req.headers == nullptr) return o;
  for (const auto& [name, value] : *req.headers) {
    o.host = o.host || iequals(name, "Host");
    o.user_agent = o.user_agent || iequals(name, "User-Agent");
    o.content_type = o.content_type || iequals(name, "Content-Type");
    o.connection = o.connection || iequals(name, "Connection");
    o.accept_encoding = o.accept_encoding || iequals(name, "Accept-Encoding");
    o.cookie = o.cookie || iequals(name, "Cookie");
  }
  return o;
}

}  // namespace

void write_request_head(const Request& req, std::string_view base_path,
                        std::string_view host_header, std::string& out, const HopHeaders& hop) {
  Overrides o = find_overrides(req);
  if (hop.other_origin) o.host = false;
  out.clear();
  out.append(req.method).append(" ").append(base_path);
  if (req.target.empty() || req.target.front() != '/') out.push_back('/');
  out.append(req.target).append(" HTTP/1.1\r\n");

  if (!o.host) append_header(out, "Host", host_header);
  // The usual case in one append: this runs for every request.
  static constexpr std::string_view kUserAgent = "User-Agent: arrload/" ARRLOAD_VERSION "\r\n";
  static constexpr std::string_view kDefaults =
      "User-Agent: arrload/" ARRLOAD_VERSION "\r\nAccept-Encoding: gzip, deflate, br\r\n";
  static_assert(kDefaults.substr(kUserAgent.size()).substr(17, kAcceptEncoding.size()) ==
                kAcceptEncoding);
  if (!o.user_agent && !o.accept_encoding) {
    out.append(kDefaults);
  } else {
    if (!o.user_agent) out.append(kUserAgent);
    if (!o.accept_encoding) append_header(out, "Accept-Encoding", kAcceptEncoding);
  }
  if (!o.cookie && !hop.cookie.empty()) append_header(out, "Cookie", hop.cookie);
  if (!req.content_type.empty() && !o.content_type) {
    append_header(out, "Content-Type", req.content_type);
  }
  if (!req.body.empty() || expects_body(req.method)) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, req.body.size());
    append_header(out, "Content-Length", std::string_view(digits, end - digits));
  }
  if (req.headers != nullptr) {
    for (const auto& [name, value] : *req.headers) {
      if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding")) continue;
      if (hop.other_origin && (iequals(name, "Host") || iequals(name, "Authorization"))) continue;
      append_header(out, name, value);
    }
  }
  if (!o.connection) append_header(out, "Connection", "keep-alive");
  out.append("\r\n");
}

}  // namespace arrload::http
