#include "target/request_view.h"

#include <fmt/format.h>
#include <boost/beast/http/error.hpp>

#include "core/strings.h"

namespace arrload::target {
namespace bhttp = boost::beast::http;

void limit_request(RequestParser& parser) {
  parser.header_limit(kRequestHeaderLimit);
  parser.body_limit(kRequestBodyLimit);
}

Request make_view(const RequestMessage& msg, std::string_view client) {
  Request view;
  view.client = client;
  view.method = msg.method_string();
  const std::string_view target = msg.target();
  const std::size_t q = target.find('?');
  view.path = target.substr(0, q);
  if (q != std::string_view::npos) view.query = target.substr(q + 1);
  view.body = msg.body();
  for (const auto& field : msg) view.headers.emplace_back(field.name_string(), field.value());
  return view;
}

bool is_websocket_upgrade(const Request& req) {
  if (req.method != "GET" || !core::iequals(req.header("Upgrade"), "websocket")) return false;
  return core::to_lower(req.header("Connection")).find("upgrade") != std::string::npos;
}

Response rejection(const boost::system::error_code& ec) {
  if (ec == bhttp::error::body_limit) return error_response(413, "Request body too large");
  if (ec == bhttp::error::header_limit) {
    return error_response(431, "Request header fields too large");
  }
  return error_response(400, "Invalid HTTP request received.");
}

ResponseMessage make_message(Response res, const Request& req, std::string_view request_id,
                             bool keep_alive, std::chrono::steady_clock::time_point start) {
  ResponseMessage msg;
  msg.version(11);
  msg.result(static_cast<unsigned>(res.status));
  msg.set(bhttp::field::content_type, "application/json");
  msg.set("X-Request-ID", request_id);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  msg.set("X-Process-Time", fmt::format("{:.3f}", seconds));
  msg.set("X-Frame-Options", "DENY");
  msg.set("X-Content-Type-Options", "nosniff");
  for (const auto& [name, value] : res.headers) msg.set(name, value);
  msg.keep_alive(keep_alive);
  msg.body() = std::move(res.body);
  msg.prepare_payload();
  if (req.method == "HEAD") {  // keep the Content-Length of the GET, send no body
    msg.body().clear();
  }
  return msg;
}

}  // namespace arrload::target
