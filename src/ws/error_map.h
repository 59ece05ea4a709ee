#pragma once
// Translation of WebSocket, socket and TLS error codes into core::NetError. Internal to ws/.
#include <cstdint>
#include <string>

#include <boost/system/error_code.hpp>

#include "core/net_error.h"

namespace arrload::ws {

// The NetError a failed operation reports for EC: a close frame from the server is
// kConnectionReset, other WebSocket protocol failures (declined upgrade, message too big, bad
// frame) kProtocol, the rest as http::map_error classifies them. kNone for a success code.
core::NetError map_error(const boost::system::error_code& ec);

// A readable reason for EC, stable for one cause (failures are grouped by it): "closed by the
// server (close code 1001)", "WebSocket closed without a close frame" (the connection ended with
// no close frame), "WebSocket: invalid UTF-8 in text frame". CLOSE_CODE is the code of the
// server's close frame (0: none).
std::string describe_error(const boost::system::error_code& ec, std::uint16_t close_code);

}  // namespace arrload::ws
