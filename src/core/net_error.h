#pragma once
// The kinds of transport failure a request can end with. Failures are data, never exceptions.
#include <string_view>

namespace arrload::core {

enum class NetError {
  kNone,               // the exchange completed (the HTTP status may still be a failure)
  kConnectionRefused,  // nothing listens at the address
  kResolve,            // the host name did not resolve
  kTimeout,            // the per-request timeout passed
  kConnectionReset,    // the peer reset or closed the connection mid-exchange
  kTls,                // TLS handshake or record failure
  kProtocol,           // the response was not valid HTTP (or WebSocket)
  kAborted,            // the run stopped and closed the connection
  kTooManyRedirects,   // more redirects than the request allows
  kBadRedirect,        // a Location that cannot be followed (not http(s), unparseable)
  kContentDecoding,    // a gzip/deflate/br body that does not decode
  kIncomplete,         // the connection closed (FIN) before the end of the response's body
  kBodyTooLarge,       // the response body is over the size limit (--max-body-size)
  kOther,              // any other socket error
};

// A short stable description, used as the failure message in reports ("ConnectionRefusedError").
std::string_view to_string(NetError e);

}  // namespace arrload::core
