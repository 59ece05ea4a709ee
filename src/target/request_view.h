#pragma once
// How a connection of the target reads one request and writes one response, without the
// socket: the parser's limits, the Request the router sees, the answer to a request that could
// not be read, and the response message. Shared by connection.cc and the request fuzzer
// (fuzz/fuzz_target_request.cc). Internal to target/ (it includes Beast).
#include <chrono>
#include <cstdint>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include "target/router.h"

namespace arrload::target {

using RequestMessage = boost::beast::http::request<boost::beast::http::string_body>;
using ResponseMessage = boost::beast::http::response<boost::beast::http::string_body>;
using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

inline constexpr std::uint32_t kRequestHeaderLimit = 16 * 1024;  // bytes of the header block
inline constexpr std::uint64_t kRequestBodyLimit = 1u << 20;     // bytes of a body

// Sets the limits of every request: kRequestHeaderLimit and kRequestBodyLimit.
void limit_request(RequestParser& parser);

// The handlers' view of MSG, which must outlive it; CLIENT is the peer's address.
Request make_view(const RequestMessage& msg, std::string_view client);

// Whether REQ asks for a WebSocket upgrade (RFC 6455: GET, Upgrade: websocket, Connection
// naming upgrade).
bool is_websocket_upgrade(const Request& req);

// The response to a request that could not be read with error EC: 413 for a body over the
// limit, 431 for header fields over it, 400 for the rest.
Response rejection(const boost::system::error_code& ec);

// The message to send for RES, the answer to REQ (started at START): the server-wide headers,
// REQUEST_ID as X-Request-ID, the time taken as X-Process-Time; no body for HEAD.
ResponseMessage make_message(Response res, const Request& req, std::string_view request_id,
                             bool keep_alive, std::chrono::steady_clock::time_point start);

}  // namespace arrload::target
