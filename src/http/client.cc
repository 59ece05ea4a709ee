#include "http/client.h"

#include <array>
#include <chrono>
#include <optional>
#include <unordered_map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/intrusive/list.hpp>

#include "http/error_map.h"
#include "http/net_shared.h"
#include "http/request_writer.h"
#include "http/response_reader.h"

namespace arrload::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace bi = boost::intrusive;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// Timeout granularity: a request times out between timeout_us and timeout_us + one tick.
constexpr auto kWatchdogTick = std::chrono::milliseconds(25);
constexpr std::uint32_t kHeaderLimit = 64 * 1024;
constexpr std::uint64_t kKeptBodyLimit = 64ull << 20;

struct BusyTag;
struct AllTag;
using BusyHook = bi::list_base_hook<bi::tag<BusyTag>>;
using AllHook = bi::list_base_hook<bi::tag<AllTag>>;

// What one write + read on an open connection produced.
struct Exchange {
  error_code ec;
  bool got_response_bytes = false;  // false: the request may be retried on a fresh connection
  bool keep_alive = false;          // the server allows another request on this connection
};

}  // namespace

struct Session::Impl : BusyHook, AllHook {
  Impl(ClientContext::Impl& c, Url u);
  ~Impl();

  void begin(core::Micros timeout_us);
  void end();
  void close_socket();
  bool busy() const { return BusyHook::is_linked(); }
  asio::awaitable<error_code> connect();
  error_code start_tls();
  asio::awaitable<Exchange> exchange(Request req, Response* out);

  ClientContext::Impl& ctx;
  Url base;
  std::string host_header;
  tcp::socket socket;
  // References socket, so closing the socket (watchdog, close()) also ends TLS operations. Only
  // replaced in connect(): destroying it under a pending operation would be undefined.
  std::optional<asio::ssl::stream<tcp::socket&>> tls;
  boost::beast::flat_buffer buffer;
  std::string request_head;  // reused serialization buffer
  core::Micros deadline = 0;
  bool timed_out = false;  // the watchdog closed the connection during this send
  bool aborted = false;    // close()/abort_all() closed the connection during this send
  bool reusable = false;   // the last exchange ended cleanly and the server keeps the connection
};

namespace {}  // namespace

struct ClientContext::Impl {
  Impl(asio::io_context& io, bool verify)
      : io(io), verify_tls(verify), tls(verify), resolver(io), watchdog(io) {}
  ~Impl() { watchdog.cancel(); }

  asio::ssl::context& tls_context() { return tls.get(); }
  asio::awaitable<http::Resolved> resolve(std::string host, std::string port) {
    return resolver.resolve(std::move(host), std::move(port));
  }
  void mark_busy(Session::Impl& s);
  void arm_watchdog();
  void on_tick();

  asio::io_context& io;
  bool verify_tls;
  http::TlsClientContext tls;  // made by the first TLS connection
  http::ResolveCache resolver;
  asio::steady_timer watchdog;
  bool watchdog_armed = false;
  // Expires with this object; a tick already queued when it dies must not touch it.
  std::shared_ptr<char> alive = std::make_shared<char>();
  bi::list<Session::Impl, bi::base_hook<BusyHook>, bi::constant_time_size<false>> busy;
  bi::list<Session::Impl, bi::base_hook<AllHook>, bi::constant_time_size<false>> all;
};

// ---- ClientContext::Impl ----

void ClientContext::Impl::mark_busy(Session::Impl& s) {
  busy.push_back(s);
  if (!watchdog_armed) arm_watchdog();
}

void ClientContext::Impl::arm_watchdog() {
  watchdog_armed = true;
  watchdog.expires_after(kWatchdogTick);
  watchdog.async_wait([this, token = std::weak_ptr<char>(alive)](error_code ec) {
    if (token.expired()) return;
    watchdog_armed = false;
    if (!ec) on_tick();
  });
}

// Runs only while some session is busy, so an idle io_context has no pending work and run()
// returns. Closing the socket again on every tick matters: a range connect that is interrupted
// reopens the socket to try the next address.
void ClientContext::Impl::on_tick() {
  const core::Micros now = core::now_us();
  for (Session::Impl& s : busy) {
    if (now >= s.deadline) {
      s.timed_out = true;
      s.close_socket();
    }
  }
  if (!busy.empty()) arm_watchdog();
}

// ---- Session::Impl ----

Session::Impl::Impl(ClientContext::Impl& c, Url u)
    : ctx(c), base(std::move(u)), host_header(base.host_header()), socket(c.io) {
  ctx.all.push_back(*this);
}

Session::Impl::~Impl() {
  if (busy()) ctx.busy.erase(ctx.busy.iterator_to(*this));
  ctx.all.erase(ctx.all.iterator_to(*this));
}

void Session::Impl::begin(core::Micros timeout_us) {
  deadline = core::now_us() + timeout_us;
  timed_out = false;
  aborted = false;
  ctx.mark_busy(*this);
}

void Session::Impl::end() {
  if (busy()) ctx.busy.erase(ctx.busy.iterator_to(*this));
}

void Session::Impl::close_socket() {
  reusable = false;
  if (!socket.is_open()) return;
  error_code ignored;
  socket.close(ignored);  // completes pending operations with operation_aborted
}

namespace {

// Lets a range connect skip the remaining addresses once the send was timed out or aborted.
struct StillWanted {
  const Session::Impl* s;
  bool operator()(const error_code&, const tcp::endpoint&) const {
    return !s->timed_out && !s->aborted;
  }
};

bool is_ip_literal(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

asio::awaitable<error_code> Session::Impl::connect() {
  close_socket();
  tls.reset();  // safe here: this send is the only operation, and it is not using the stream
  buffer.clear();
  http::Resolved r = co_await ctx.resolve(base.host, base.port);
  if (r.ec) co_return r.ec;
  auto [ec, endpoint] =
      co_await asio::async_connect(socket, r.results, StillWanted{this}, kNoThrow);
  if (ec) co_return ec;
  socket.set_option(tcp::no_delay(true), ec);
  if (!base.tls) co_return error_code{};

  if (error_code tec = start_tls()) co_return tec;
  auto [hec] = co_await tls->async_handshake(asio::ssl::stream_base::client, kNoThrow);
  co_return hec;
}

// OpenSSL set-up failures (out of memory, broken installation) throw from Asio's constructors;
// send() must not throw, so they become the connection's error.
error_code Session::Impl::start_tls() {
  try {
    tls.emplace(socket, ctx.tls_context());
    if (!is_ip_literal(base.host)) {  // SNI carries names only
      SSL_set_tlsext_host_name(tls->native_handle(), base.host.c_str());
    }
    error_code ec;
    if (ctx.verify_tls) {
      tls->set_verify_callback(asio::ssl::host_name_verification(base.host), ec);
    }
    return ec;
  } catch (const boost::system::system_error& e) {
    tls.reset();
    return e.code();
  }
}

namespace {

template <class Stream>
asio::awaitable<Exchange> exchange_on(Stream& stream, Session::Impl* s, Request req,
                                      Response* out) {
  Exchange result;
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(s->request_head),
                                                  asio::buffer(req.body)};
  auto [wec, written] = co_await asio::async_write(stream, buffers, kNoThrow);
  if (wec) {
    result.ec = wec;
    co_return result;
  }

  ResponseReader parser(req.keep_body ? &out->body : nullptr);
  parser.header_limit(kHeaderLimit);
  parser.body_limit(req.keep_body ? boost::optional<std::uint64_t>(kKeptBodyLimit)
                                  : boost::none);  // a body not kept is only counted
  if (req.method == "HEAD") parser.skip(true);

  auto [rec, read] = co_await bhttp::async_read(stream, s->buffer, parser, kNoThrow);
  result.ec = rec;
  result.got_response_bytes = parser.got_some();
  if (parser.is_header_done()) out->status = parser.status();
  out->body_bytes = parser.body_bytes();
  // basic_parser's keep_alive() also says no when the body ends at the connection's close.
  result.keep_alive = !rec && parser.keep_alive();
  co_return result;
}

void reset(Response& out) {
  out.status = 0;
  out.body_bytes = 0;
  out.body.clear();
  out.error = core::NetError::kNone;
  out.error_detail.clear();
  out.latency_us = 0;
}

}  // namespace

asio::awaitable<Exchange> Session::Impl::exchange(Request req, Response* out) {
  if (tls) return exchange_on(*tls, this, req, out);
  return exchange_on(socket, this, req, out);
}

// ---- public API ----

ClientContext::ClientContext(asio::io_context& io, bool verify_tls)
    : impl_(std::make_unique<Impl>(io, verify_tls)) {}

ClientContext::~ClientContext() = default;

void ClientContext::abort_all() {
  for (Session::Impl& s : impl_->all) {
    if (s.busy()) s.aborted = true;
    s.close_socket();
  }
}

Session::Session(ClientContext& ctx, Url base)
    : impl_(std::make_unique<Impl>(ctx.impl(), std::move(base))) {}

Session::~Session() = default;

const Url& Session::base() const { return impl_->base; }

void Session::close() {
  if (impl_->busy()) impl_->aborted = true;
  impl_->close_socket();
}

asio::awaitable<void> Session::send(const Request& req, Response& out) {
  Impl& s = *impl_;
  reset(out);
  write_request_head(req, s.base.base_path, s.host_header, s.request_head);
  s.begin(req.timeout_us);
  const core::Micros start = core::now_us();
  error_code ec;
  for (int attempt = 0;; ++attempt) {
    const bool reused = s.reusable && s.socket.is_open();
    if (!reused) {
      ec = co_await s.connect();
      if (ec) break;
    }
    const Exchange x = co_await s.exchange(req, &out);
    ec = x.ec;
    s.reusable = x.keep_alive && s.socket.is_open() && !s.timed_out && !s.aborted;
    // A server may close an idle keep-alive connection just as we reuse it; then nothing of the
    // response arrived and one retry on a fresh connection is safe.
    const bool stale = reused && !x.got_response_bytes && is_stale_connection_error(ec);
    if (attempt > 0 || !stale || s.timed_out || s.aborted) break;
    out.status = 0;
  }
  if (!s.reusable) s.close_socket();
  out.latency_us = core::now_us() - start;
  if (ec) {
    out.error = s.timed_out ? core::NetError::kTimeout
                : s.aborted ? core::NetError::kAborted
                            : map_error(ec);
    out.error_detail = s.timed_out ? "request timed out" : ec.message();
  }
  s.end();
}

}  // namespace arrload::http
