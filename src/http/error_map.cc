#include "http/error_map.h"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

namespace arrload::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

const boost::system::error_category& beast_http_category() {
  static const boost::system::error_category& category =
      bhttp::make_error_code(bhttp::error::end_of_stream).category();
  return category;
}

bool is_closed_by_peer(const boost::system::error_code& ec) {
  // A TLS peer that closes without close_notify shows up as stream_truncated, not eof.
  return ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
         ec == asio::error::broken_pipe || ec == asio::error::eof ||
         ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
         ec == asio::ssl::error::stream_truncated;
}

}  // namespace

core::NetError map_error(const boost::system::error_code& ec) {
  using core::NetError;
  if (!ec) return NetError::kNone;
  if (ec == asio::error::connection_refused) return NetError::kConnectionRefused;
  if (ec == asio::error::timed_out) return NetError::kTimeout;
  if (ec == asio::error::operation_aborted) return NetError::kAborted;
  if (ec.category() == asio::error::get_netdb_category() ||
      ec.category() == asio::error::get_addrinfo_category()) {
    return NetError::kResolve;
  }
  if (is_closed_by_peer(ec)) return NetError::kConnectionReset;
  if (ec.category() == asio::error::get_ssl_category() ||
      ec.category() == asio::ssl::error::get_stream_category()) {
    return NetError::kTls;
  }
  if (ec.category() == beast_http_category()) return NetError::kProtocol;
  return NetError::kOther;
}

bool is_stale_connection_error(const boost::system::error_code& ec) {
  return ec != bhttp::error::partial_message && is_closed_by_peer(ec);
}

}  // namespace arrload::http
