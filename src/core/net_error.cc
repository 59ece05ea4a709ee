#include "core/net_error.h"

namespace arrload::core {

std::string_view to_string(NetError e) {
  switch (e) {
    case NetError::kNone:
      return "ok";
    case NetError::kConnectionRefused:
      return "ConnectionRefusedError: connection refused";
    case NetError::kResolve:
      return "ResolveError: host name did not resolve";
    case NetError::kTimeout:
      return "TimeoutError: request timed out";
    case NetError::kConnectionReset:
      return "ConnectionResetError: connection reset by peer";
    case NetError::kTls:
      return "SSLError: TLS failure";
    case NetError::kProtocol:
      return "ProtocolError: malformed response";
    case NetError::kAborted:
      return "StopUser: run stopped during the request";
    case NetError::kTooManyRedirects:
      return "TooManyRedirects: too many redirects";
    case NetError::kBadRedirect:
      return "InvalidURL: a redirect that cannot be followed";
    case NetError::kContentDecoding:
      return "ContentDecodingError: the body does not decode";
    case NetError::kIncomplete:
      return "IncompleteRead: the connection closed before the end of the response";
    case NetError::kBodyTooLarge:
      return "BodyTooLarge: response body over the size limit";
    case NetError::kOther:
      return "ConnectionError: socket error";
  }
  return "unknown";
}

}  // namespace arrload::core
