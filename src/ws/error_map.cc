#include "ws/error_map.h"

#include <fmt/format.h>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/websocket/error.hpp>

#include "http/error_map.h"

namespace arrload::ws {
namespace {

namespace websocket = boost::beast::websocket;

const boost::system::error_category& websocket_category() {
  static const boost::system::error_category& category =
      websocket::make_error_code(websocket::error::closed).category();
  return category;
}

}  // namespace

core::NetError map_error(const boost::system::error_code& ec) {
  if (!ec) return core::NetError::kNone;
  if (ec == websocket::error::closed) return core::NetError::kConnectionReset;
  if (ec.category() == websocket_category()) return core::NetError::kProtocol;
  return http::map_error(ec);
}

std::string describe_error(const boost::system::error_code& ec, std::uint16_t close_code) {
  if (ec == websocket::error::closed) {
    return close_code != 0 ? fmt::format("closed by the server (close code {})", close_code)
                           : std::string("closed by the server");
  }
  if (ec == websocket::error::message_too_big || ec == websocket::error::buffer_overflow) {
    return "message too big";
  }
  // Beast checks every text message is UTF-8 (RFC 6455 section 8.1) and fails the connection
  // (close code 1007) with this code when it is not.
  if (ec == websocket::error::bad_frame_payload) return "WebSocket: invalid UTF-8 in text frame";
  namespace asio = boost::asio;
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
      ec == asio::error::connection_reset || ec == asio::error::connection_aborted) {
    return "WebSocket closed without a close frame";
  }
  if (std::string parse = http::describe_parse_error(ec); !parse.empty()) return parse;
  return ec.message();
}

}  // namespace arrload::ws
