#pragma once
// HTTP/1.1 client sessions: one keep-alive connection per simulated user.
//
// Beast and Asio I/O objects stay inside client.cc; callers see plain structs and an awaitable.
// Threading: a ClientContext (client_context.h) and all its Sessions belong to one io_context
// run by one thread.
//
// Latency, as Locust measures it: from just before the connect (when the session has no usable
// connection) or the write, to the last byte of the response body. So the first request of a
// session, and the first after the server closed the connection, include the TCP connect and
// TLS handshake; name resolution is done once per host and ClientContext and cached for its life.
//
// Redirects (Request::max_redirects > 0) are followed inside one send(): the response is the
// last hop's, timed from before the first hop to the end of the last. A redirect to another
// scheme, host or port opens a second connection, kept for the next redirect to the same place.
// Response bodies in gzip, deflate or br are decoded (Accept-Encoding is sent by default).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/clock.h"
#include "core/net_error.h"
#include "http/client_context.h"
#include "http/cookie_jar.h"
#include "http/url.h"

namespace arrload::http {

struct Request {
  std::string_view method;  // "GET", "POST", ...
  std::string_view target;  // path and query, without the base URL's prefix ("/health")
  // Extra headers; may be null. One named Host, User-Agent, Content-Type, Connection,
  // Accept-Encoding or Cookie replaces the default; Content-Length and Transfer-Encoding are
  // ignored (computed from body). Host and Authorization are not sent to another host after a
  // redirect, as python-requests does.
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
  std::string_view body;          // empty = no body
  std::string_view content_type;  // sent when non-empty
  // Whole exchange including connect; > 0. Enforced with a granularity of about 25 ms; a name
  // lookup under way is not interrupted (the timeout is reported when it ends).
  core::Micros timeout_us = 60'000'000;
  bool keep_body = false;  // copy the (decoded) response body into Response::body
  // Redirects (301, 302, 303, 307, 308 with a Location) to follow; 0 returns the 3xx itself.
  // One more is a failure (NetError::kTooManyRedirects). 301/302 turn a POST into a GET, 303
  // anything but HEAD; every status but 307/308 drops the body, like python-requests.
  int max_redirects = 0;
  // Cookies sent with every hop and updated from Set-Cookie; null: none sent, none kept. Must
  // outlive the send.
  CookieJar* cookies = nullptr;
  // Lower-case names of response header fields to copy into Response::headers; null: none.
  const std::vector<std::string>* capture_headers = nullptr;
};

struct Response {
  int status = 0;                // 0 when the exchange failed before a status arrived
  std::uint64_t body_bytes = 0;  // body size in bytes after Content-Encoding decoding
  std::uint64_t wire_bytes = 0;  // body size in bytes as received (before decoding)
  std::string body;              // only when Request::keep_body; decoded
  int redirects = 0;             // redirects followed before this response
  // The fields named in Request::capture_headers, as received (name as written, value), in order.
  std::vector<std::pair<std::string, std::string>> headers;
  core::NetError error = core::NetError::kNone;
  std::string error_detail;     // the system's message for error (for logs)
  core::Micros latency_us = 0;  // from before connect/write to the last body byte of the last hop
};

class Session {
 public:
  // CTX must outlive the session. The connection is opened lazily by the first send().
  // REQUIRES at destruction: no send() in flight (close() it and let the send complete first).
  Session(ClientContext& ctx, Url base);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Sends REQ and reads the whole response into OUT (overwritten). Never throws for network or
  // protocol failures: they end up in OUT.error. Reconnects when the server closed the
  // connection; retries once only when a reused keep-alive connection failed before any byte
  // of the response arrived (the server closed an idle connection).
  // REQUIRES: at most one send() in flight per session; REQ, what it points to, and OUT stay
  // valid until the send completes (true when the call is co_awaited directly).
  boost::asio::awaitable<void> send(const Request& req, Response& out);

  // Closes the connection now; an in-flight send() completes with NetError::kAborted.
  void close();

  const Url& base() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace arrload::http
