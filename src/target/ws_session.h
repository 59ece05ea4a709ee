#pragma once
// The target's WebSocket endpoints, /api/v1/ws (events) and /api/v1/logs/stream (the request
// log), as docs/target.md describes them. Beast's WebSocket code lives only in ws_session.cc.
// Internal to target/.
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace arrload::target {

struct ConnectionContext;

// Whether PATH (without the query) is one of the WebSocket endpoints.
bool is_websocket_path(std::string_view path);

// Completes the WebSocket handshake of REQUEST (an upgrade to a WebSocket path) on SOCKET and
// serves the endpoint until either side closes. Each client has a queue of at most 100
// messages (the oldest is dropped when it is full) drained by its own writer, so a slow client
// never holds up the server or the other clients; frames over 64 KiB close the connection with
// 1009 (message too big). Counts in Counters::websocket_connections while open.
boost::asio::awaitable<void> serve_websocket(
    boost::asio::ip::tcp::socket socket,
    boost::beast::http::request<boost::beast::http::string_body> request,
    const ConnectionContext* ctx);

}  // namespace arrload::target
