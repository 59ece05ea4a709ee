#pragma once
// The per-thread state of the client sessions (http::Session, ws::Session): the TLS context, a
// cache of name lookups and the deadline watchdog. Asio stays inside net_shared.{h,cc}.
//
// Timeouts: an operation stores a deadline in its session and one watchdog timer per context
// closes connections past their deadline, so no timer operation runs per request (a timeout
// per request costs ~30% of throughput). The watchdog runs only while some session is watched,
// so an idle io_context has no pending work.
#include <cstdint>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace arrload::http {

class NetContext;  // net_shared.h

// The default response body limit: 64 MiB (--max-body-size).
inline constexpr std::uint64_t kDefaultMaxBodyBytes = 64ull << 20;

// Threading: a ClientContext and all its sessions belong to one io_context run by one thread.
class ClientContext {
 public:
  // IO must outlive this object. VERIFY_TLS: check server certificates (off for self-signed
  // test servers, like Locust's default insecure mode).
  explicit ClientContext(boost::asio::io_context& io, bool verify_tls = false);
  ~ClientContext();
  ClientContext(const ClientContext&) = delete;
  ClientContext& operator=(const ClientContext&) = delete;

  // Closes every session's connection; pending operations end with NetError::kAborted.
  void abort_all();

  // The largest response body (as received, and again after decoding) a session reads; a bigger
  // one fails the request with NetError::kBodyTooLarge as soon as it is known (at once for a
  // Content-Length over it). 0: no limit. Default kDefaultMaxBodyBytes.
  void set_max_body_bytes(std::uint64_t bytes);

  NetContext& net() { return *net_; }

 private:
  std::unique_ptr<NetContext> net_;
};

}  // namespace arrload::http
