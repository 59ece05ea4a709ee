#include "http/error_map.h"

#include <openssl/err.h>

#include <fmt/format.h>
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
         ec == bhttp::error::end_of_stream || ec == asio::ssl::error::stream_truncated;
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
  if (ec == bhttp::error::partial_message) return NetError::kIncomplete;
  if (ec == bhttp::error::body_limit) return NetError::kBodyTooLarge;
  if (is_closed_by_peer(ec)) return NetError::kConnectionReset;
  if (ec.category() == asio::error::get_ssl_category() ||
      ec.category() == asio::ssl::error::get_stream_category()) {
    return NetError::kTls;
  }
  if (ec.category() == beast_http_category()) return NetError::kProtocol;
  return NetError::kOther;
}

bool is_stale_connection_error(const boost::system::error_code& ec) {
  return is_closed_by_peer(ec);
}

std::string describe_parse_error(const boost::system::error_code& ec) {
  if (ec.category() != beast_http_category()) return "";
  using E = bhttp::error;
  const char* what = nullptr;
  switch (static_cast<E>(ec.value())) {
    case E::bad_version:
    case E::bad_status:
    case E::bad_reason:
      what = "bad status line";
      break;
    case E::bad_field:
    case E::bad_value:
    case E::bad_obs_fold:
      what = "bad header field";
      break;
    case E::header_limit:
      what = "header over 64 KiB";
      break;
    case E::bad_line_ending:
      what = "bad line ending";
      break;
    case E::bad_content_length:
    case E::multiple_content_length:
      what = "bad Content-Length";
      break;
    case E::bad_transfer_encoding:
    case E::bad_chunk:
    case E::bad_chunk_extension:
      what = "bad chunked encoding";
      break;
    default:
      return fmt::format("malformed HTTP response: {}", ec.message());
  }
  return fmt::format("malformed HTTP response: {}", what);
}

std::string describe_tls_handshake_error(const boost::system::error_code& ec,
                                         const std::string& verify_failure) {
  if (!verify_failure.empty()) return "TLS handshake failed: " + verify_failure;
  std::string reason;
  if (ec.category() == asio::error::get_ssl_category()) {
    const char* r = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    if (r != nullptr) reason = r;
  }
  if (reason.empty()) {
    reason = is_closed_by_peer(ec) ? "the server closed the connection" : ec.message();
  }
  return "TLS handshake failed: " + reason;
}

std::string format_size(std::uint64_t bytes) {
  constexpr std::uint64_t kKiB = 1024;
  if (bytes >= kKiB * kKiB * kKiB && bytes % (kKiB * kKiB * kKiB) == 0) {
    return fmt::format("{} GiB", bytes / (kKiB * kKiB * kKiB));
  }
  if (bytes >= kKiB * kKiB && bytes % (kKiB * kKiB) == 0) {
    return fmt::format("{} MiB", bytes / (kKiB * kKiB));
  }
  if (bytes >= kKiB && bytes % kKiB == 0) return fmt::format("{} KiB", bytes / kKiB);
  return fmt::format("{} bytes", bytes);
}

}  // namespace arrload::http
