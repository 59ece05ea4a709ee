#pragma once
// Per-thread client plumbing shared by http::Session and ws::Session: a name-lookup cache, the
// TLS client context, and the deadline watchdog over their connections (client_context.h).
// Asio types; include only from .cc files that already use Asio.
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>

#include "core/clock.h"
#include "http/client_context.h"

namespace arrload::http {

struct Resolved {
  boost::system::error_code ec;
  boost::asio::ip::tcp::resolver::results_type results;
};

// One lookup per host:port and thread: many sessions connecting at once share the first one's
// answer. Answers are kept for the cache's life (the length of a run); failures are not. Names
// under ".invalid" fail at once with host_not_found, without asking the system (RFC 6761: they
// never resolve, and a resolver that cannot reach its server would take seconds to say so).
// Not thread-safe: one io_context thread.
class ResolveCache {
 public:
  explicit ResolveCache(boost::asio::io_context& io);
  ~ResolveCache();
  ResolveCache(const ResolveCache&) = delete;
  ResolveCache& operator=(const ResolveCache&) = delete;

  boost::asio::awaitable<Resolved> resolve(std::string host, std::string port);

 private:
  struct Entry;
  boost::asio::io_context& io_;
  boost::asio::ip::tcp::resolver resolver_;
  // unique_ptr: entries are referenced across suspension points while the map may rehash.
  std::unordered_map<std::string, std::unique_ptr<Entry>> entries_;
};

// The TLS client context, made on first use. VERIFY: check certificates against the system CAs
// (off: Locust's default insecure mode, for self-signed test servers).
class TlsClientContext {
 public:
  explicit TlsClientContext(bool verify) : verify_(verify) {}
  boost::asio::ssl::context& get();
  bool verify() const { return verify_; }
  // Sets up a new TLS stream to HOST: SNI (names only), and, when verify(), certificate and
  // host name verification that writes why it failed to *FAILURE (cleared here; it must outlive
  // the handshake): "certificate verify failed: certificate has expired (depth 0)".
  boost::system::error_code prepare(boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>& tls,
                                    const std::string& host, std::string* failure);

 private:
  bool verify_;
  std::optional<boost::asio::ssl::context> tls_;
};

struct WatchedTag;
struct MemberTag;
using WatchedHook = boost::intrusive::list_base_hook<boost::intrusive::tag<WatchedTag>>;
using MemberHook = boost::intrusive::list_base_hook<boost::intrusive::tag<MemberTag>>;

// One client connection of a NetContext: its socket and the deadline the watchdog enforces.
// Session types derive from it. Belongs to its context's thread.
struct Connection : WatchedHook, MemberHook {
  explicit Connection(NetContext& c);  // C must outlive the connection
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Puts the connection under DEADLINE_US (monotonic µs) until unwatch(); once it passes, the
  // watchdog sets timed_out and closes the socket. Watching again only moves the deadline.
  void watch(core::Micros deadline_us);
  void unwatch();
  bool watched() const { return WatchedHook::is_linked(); }

  // Closes the socket now (pending operations complete with operation_aborted); clears usable.
  void close_socket();
  // Sets aborted and closes the socket.
  void abort();

  // Resolves HOST:PORT (through the context's cache) and connects the socket, TCP_NODELAY.
  boost::asio::awaitable<boost::system::error_code> open_tcp(std::string host, std::string port);

  NetContext& ctx;
  boost::asio::ip::tcp::socket socket;
  core::Micros deadline = 0;
  bool usable = false;      // the connection can carry the next operation; cleared when closed
  bool timed_out = false;   // the watchdog closed the socket
  bool aborted = false;     // abort() or NetContext::abort_all() closed the socket
  std::string tls_failure;  // why the last certificate check failed; "" when it did not
};

// What a client_context.h ClientContext holds. Not thread-safe: one io_context thread.
class NetContext {
 public:
  NetContext(boost::asio::io_context& io, bool verify_tls);
  ~NetContext();
  NetContext(const NetContext&) = delete;
  NetContext& operator=(const NetContext&) = delete;

  // Aborts every connection (Connection::abort()).
  void abort_all();

  boost::asio::io_context& io;
  TlsClientContext tls;  // made by the first TLS connection
  ResolveCache resolver;
  std::uint64_t max_body_bytes = kDefaultMaxBodyBytes;  // ClientContext::set_max_body_bytes

 private:
  friend struct Connection;
  void arm_watchdog();
  void on_tick();

  boost::asio::steady_timer watchdog_;
  bool watchdog_armed_ = false;
  // Expires with this object; a tick already queued when it dies must not touch it.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
  template <class Hook>
  using List = boost::intrusive::list<Connection, boost::intrusive::base_hook<Hook>,
                                      boost::intrusive::constant_time_size<false>>;
  List<WatchedHook> watched_;
  List<MemberHook> all_;
};

// Makes STREAM a TLS client stream over C's socket to HOST (TlsClientContext::prepare). STREAM
// holds an ssl::stream over the socket, or a stream whose next_layer() is one. OpenSSL set-up
// failures (out of memory, broken installation) throw from Asio's constructors; sessions must not
// throw, so they are returned as the connection's error.
template <class Stream>
boost::system::error_code start_tls(std::optional<Stream>& stream, Connection& c,
                                    const std::string& host) {
  using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>;
  try {
    stream.emplace(c.socket, c.ctx.tls.get());
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      return c.ctx.tls.prepare(*stream, host, &c.tls_failure);
    } else {
      return c.ctx.tls.prepare(stream->next_layer(), host, &c.tls_failure);
    }
  } catch (const boost::system::system_error& e) {
    stream.reset();
    return e.code();
  }
}

}  // namespace arrload::http
