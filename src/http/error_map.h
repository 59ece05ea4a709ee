#pragma once
// Translation of socket, TLS and parser error codes into core::NetError and into the stable
// words of a failure message. Internal to http/ and ws/.
#include <cstdint>
#include <string>

#include <boost/system/error_code.hpp>

#include "core/net_error.h"

namespace arrload::http {

// The NetError a failed exchange reports for EC. kNone for a success code. Timeouts and aborts
// caused by this client are decided by the session's flags first; this only classifies codes.
// A body over the parser's limit is kBodyTooLarge; the connection closing in the middle of a
// body kIncomplete; any other parse failure kProtocol.
core::NetError map_error(const boost::system::error_code& ec);

// True when EC is what a server's close of an idle keep-alive connection looks like to the next
// request on it (reset, broken pipe, end of stream): the request may be retried once.
bool is_stale_connection_error(const boost::system::error_code& ec);

// What was wrong with a response Beast's parser rejected, in words that do not change from one
// response to the next (they group failures): "malformed HTTP response: bad status line". ""
// when EC is not a parse error.
std::string describe_parse_error(const boost::system::error_code& ec);

// Why a TLS handshake failed: "TLS handshake failed: " and VERIFY_FAILURE (the certificate check's
// reason, when it was that) or the library's reason for EC ("wrong version number").
std::string describe_tls_handshake_error(const boost::system::error_code& ec,
                                         const std::string& verify_failure);

// "64 MiB", "1 GiB", "1500 bytes": a size limit as a failure message shows it.
std::string format_size(std::uint64_t bytes);

}  // namespace arrload::http
