#pragma once
// WebSocket client sessions: one connection at a time per simulated user, ws:// or wss://.
//
// Beast and Asio I/O objects stay inside session.cc; callers see plain structs and awaitables.
// Threading: a Context and all its Sessions belong to one io_context run by one thread.
//
// Timeouts work like http::Session's: an operation stores a deadline and one watchdog timer per
// Context closes connections past their deadline, so no timer operation runs per message. A
// timeout closes the connection: every pending operation then ends with NetError::kTimeout.
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
#include "http/url.h"

namespace arrload::ws {

// Largest message read_message() accepts; a bigger one fails it with kProtocol.
inline constexpr std::size_t kMaxMessageBytes = 1 << 20;

struct ConnectRequest {
  std::string_view target;  // path and query, without the base URL's prefix ("/api/v1/ws")
  // Extra handshake headers; may be null. Host, Upgrade, Connection and Sec-WebSocket-* are
  // the handshake's own and cannot be replaced.
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
  // Monotonic time (core::now_us()) by which the TCP connect, TLS and WebSocket handshakes must
  // be done. Enforced with a granularity of about 25 ms.
  core::Micros deadline_us = 0;
};

// How an operation ended.
struct Result {
  core::NetError error = core::NetError::kNone;
  int status = 0;            // connect(): the HTTP status of a rejected handshake (else 0)
  std::string error_detail;  // a readable reason ("handshake rejected: HTTP 404", ...)
  std::uint64_t bytes = 0;   // read_message(): the message's size
  bool close_frame = false;  // the connection ended with a close frame (the server's or ours)
};

// Per-thread state: the TLS context, a cache of name lookups and the deadline watchdog; the same
// as http::ClientContext (one of each per worker thread keeps the two protocols apart).
class Context : public http::ClientContext {
 public:
  using ClientContext::ClientContext;
};

class Session {
 public:
  // CTX must outlive the session. BASE's scheme decides ws:// (http, ws) or wss:// (https, wss);
  // its path prefix is put before every target.
  // REQUIRES at destruction: no operation pending (abort() and let them complete first).
  Session(Context& ctx, http::Url base);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Opens a new connection (resolve, TCP, TLS for wss, WebSocket handshake). A handshake the
  // server answers with anything but 101 fails with kProtocol and OUT.status set.
  // REQUIRES: no operation pending (a previous connection is dropped without a close frame).
  boost::asio::awaitable<void> connect(ConnectRequest req, Result& out);

  // Writes TEXT as one text frame, by DEADLINE_US (monotonic µs). At most one write (or close)
  // pending at a time; it may run while read_message() is pending.
  // REQUIRES: TEXT and OUT stay valid until it completes.
  boost::asio::awaitable<void> write_text(std::string_view text, core::Micros deadline_us,
                                          Result& out);

  // Reads the next message (text or binary) into MESSAGE, with no deadline of its own (see
  // watch()). Fails when the connection ends: a close frame from the server is
  // kConnectionReset with its code in error_detail. At most one read pending at a time.
  boost::asio::awaitable<void> read_message(std::string& message, Result& out);

  // Sends a close frame (1000) and waits for the server's, by DEADLINE_US; a pending
  // read_message() then ends with kConnectionReset ("closed"). Past the deadline, or when the
  // connection is not usable, the socket is just closed.
  boost::asio::awaitable<void> close(core::Micros deadline_us);

  // Closes the socket now: pending operations end with kAborted.
  void abort();

  // Puts the connection under DEADLINE_US until unwatch(): when it passes, the connection is
  // closed and pending operations (a read_message() awaited for a reply) end with kTimeout.
  // connect(), write_text() and close() set and clear their own deadline.
  void watch(core::Micros deadline_us);
  void unwatch();

  // True between a successful connect() and the first failure, close() or abort().
  bool is_open() const;

  const http::Url& base() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace arrload::ws
