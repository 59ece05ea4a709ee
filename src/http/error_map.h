#pragma once
// Translation of socket, TLS and parser error codes into core::NetError. Internal to http/.
#include <boost/system/error_code.hpp>

#include "core/net_error.h"

namespace arrload::http {

// The NetError a failed exchange reports for EC. kNone for a success code. Timeouts and aborts
// caused by this client are decided by the session's flags first; this only classifies codes.
core::NetError map_error(const boost::system::error_code& ec);

// True when EC is what a server's close of an idle keep-alive connection looks like to the next
// request on it (reset, broken pipe, end of stream): the request may be retried once.
bool is_stale_connection_error(const boost::system::error_code& ec);

}  // namespace arrload::http
