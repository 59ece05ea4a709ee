#include "ws/session.h"

#include <chrono>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/intrusive/list.hpp>

#include "core/strings.h"
#include "http/net_shared.h"
#include "ws/error_map.h"

namespace arrload::ws {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace bi = boost::intrusive;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// Timeout granularity: an operation times out between its deadline and one tick later.
constexpr auto kWatchdogTick = std::chrono::milliseconds(25);

struct BusyTag;
struct AllTag;
using BusyHook = bi::list_base_hook<bi::tag<BusyTag>>;
using AllHook = bi::list_base_hook<bi::tag<AllTag>>;

using PlainStream = websocket::stream<tcp::socket&>;
using SecureStream = websocket::stream<asio::ssl::stream<tcp::socket&>>;

}  // namespace

struct Session::Impl : BusyHook, AllHook {
  Impl(Context::Impl& c, http::Url u);
  ~Impl();

  void begin(core::Micros deadline_us);
  void end();
  bool busy() const { return BusyHook::is_linked(); }
  void close_socket();
  void fail(const error_code& ec, Result& out);
  asio::awaitable<error_code> open_tcp();
  error_code start_tls();
  asio::awaitable<error_code> handshake(ConnectRequest req, Result* out);

  template <class Stream>
  void configure(Stream& stream, const ConnectRequest& req);

  Context::Impl& ctx;
  http::Url base;
  std::string host_header;
  tcp::socket socket;
  // Both reference socket, so closing it (watchdog, abort()) ends every operation. Replaced only
  // in connect(), when no operation is pending.
  std::optional<PlainStream> plain;
  std::optional<SecureStream> secure;
  beast::flat_buffer read_buffer;
  std::string target_buf;
  core::Micros deadline = 0;
  bool open = false;       // handshake done, no failure since
  bool closing = false;    // close() sent (or is sending) a close frame
  bool timed_out = false;  // the watchdog closed this connection
  bool aborted = false;    // abort()/abort_all() closed this connection
};

struct Context::Impl {
  Impl(asio::io_context& io, bool verify)
      : io(io), verify_tls(verify), tls(verify), resolver(io), watchdog(io) {}
  ~Impl() { watchdog.cancel(); }

  asio::ssl::context& tls_context() { return tls.get(); }
  asio::awaitable<http::Resolved> resolve(std::string host, std::string port) {
    return resolver.resolve(std::move(host), std::move(port));
  }
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

// ---- Context::Impl ----

void Context::Impl::arm_watchdog() {
  watchdog_armed = true;
  watchdog.expires_after(kWatchdogTick);
  watchdog.async_wait([this, token = std::weak_ptr<char>(alive)](error_code ec) {
    if (token.expired()) return;
    watchdog_armed = false;
    if (!ec) on_tick();
  });
}

// Runs only while some session is watched, so an idle io_context has no pending work. Closing
// the socket again on every tick matters: an interrupted range connect reopens it.
void Context::Impl::on_tick() {
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

Session::Impl::Impl(Context::Impl& c, http::Url u)
    : ctx(c), base(std::move(u)), host_header(base.host_header()), socket(c.io) {
  ctx.all.push_back(*this);
}

Session::Impl::~Impl() {
  if (busy()) ctx.busy.erase(ctx.busy.iterator_to(*this));
  ctx.all.erase(ctx.all.iterator_to(*this));
}

void Session::Impl::begin(core::Micros deadline_us) {
  deadline = deadline_us;
  if (!busy()) {
    ctx.busy.push_back(*this);
    if (!ctx.watchdog_armed) ctx.arm_watchdog();
  }
}

void Session::Impl::end() {
  if (busy()) ctx.busy.erase(ctx.busy.iterator_to(*this));
}

void Session::Impl::close_socket() {
  open = false;
  if (!socket.is_open()) return;
  error_code ignored;
  socket.close(ignored);  // completes pending operations with operation_aborted
}

void Session::Impl::fail(const error_code& ec, Result& out) {
  open = false;
  if (timed_out) {
    out.error = core::NetError::kTimeout;
    out.error_detail = "timed out";
  } else if (aborted) {
    out.error = core::NetError::kAborted;
    out.error_detail = "aborted";
  } else {
    out.error = map_error(ec);
    const std::uint16_t code = plain ? plain->reason().code : secure ? secure->reason().code : 0;
    out.error_detail = describe_error(ec, code);
  }
}

namespace {

// Lets a range connect skip the remaining addresses once the connect timed out or was aborted.
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

asio::awaitable<error_code> Session::Impl::open_tcp() {
  http::Resolved r = co_await ctx.resolve(base.host, base.port);
  if (r.ec) co_return r.ec;
  if (timed_out || aborted) co_return asio::error::operation_aborted;
  auto [ec, endpoint] =
      co_await asio::async_connect(socket, r.results, StillWanted{this}, kNoThrow);
  if (ec) co_return ec;
  socket.set_option(tcp::no_delay(true), ec);
  co_return error_code{};
}

// OpenSSL set-up failures throw from Asio's constructors; connect() must not throw.
error_code Session::Impl::start_tls() {
  try {
    secure.emplace(socket, ctx.tls_context());
    if (!is_ip_literal(base.host)) {  // SNI carries names only
      SSL_set_tlsext_host_name(secure->next_layer().native_handle(), base.host.c_str());
    }
    error_code ec;
    if (ctx.verify_tls) {
      secure->next_layer().set_verify_callback(asio::ssl::host_name_verification(base.host), ec);
    }
    return ec;
  } catch (const boost::system::system_error& e) {
    secure.reset();
    return e.code();
  }
}

template <class Stream>
void Session::Impl::configure(Stream& stream, const ConnectRequest& req) {
  stream.read_message_max(kMaxMessageBytes);
  stream.auto_fragment(false);
  std::vector<std::pair<std::string, std::string>> extra;
  if (req.headers != nullptr) extra = *req.headers;
  stream.set_option(
      websocket::stream_base::decorator([extra = std::move(extra)](websocket::request_type& r) {
        r.set(beast::http::field::user_agent, "arrload/" ARRLOAD_VERSION);
        for (const auto& [name, value] : extra) {
          if (core::iequals(name, "Host") || core::iequals(name, "Upgrade") ||
              core::iequals(name, "Connection") ||
              core::to_lower(name).rfind("sec-websocket-", 0) == 0) {
            continue;
          }
          r.set(name, value);
        }
      }));
}

namespace {

template <class Stream>
asio::awaitable<error_code> handshake_on(Stream& stream, Session::Impl* s, Result* out) {
  websocket::response_type res;
  auto [ec] = co_await stream.async_handshake(res, s->host_header, s->target_buf, kNoThrow);
  if (ec == websocket::error::upgrade_declined) out->status = res.result_int();
  co_return ec;
}

}  // namespace

asio::awaitable<error_code> Session::Impl::handshake(ConnectRequest req, Result* out) {
  target_buf.assign(base.base_path);
  target_buf.append(req.target.empty() ? std::string_view("/") : req.target);
  if (base.tls) {
    if (error_code ec = start_tls()) co_return ec;
    configure(*secure, req);
    auto [ec] =
        co_await secure->next_layer().async_handshake(asio::ssl::stream_base::client, kNoThrow);
    if (ec) co_return ec;
    error_code wec = co_await handshake_on(*secure, this, out);
    co_return wec;
  }
  plain.emplace(socket);
  configure(*plain, req);
  error_code wec = co_await handshake_on(*plain, this, out);
  co_return wec;
}

// ---- public API ----

Context::Context(asio::io_context& io, bool verify_tls)
    : impl_(std::make_unique<Impl>(io, verify_tls)) {}

Context::~Context() = default;

void Context::abort_all() {
  for (Session::Impl& s : impl_->all) {
    s.aborted = true;
    s.close_socket();
  }
}

Session::Session(Context& ctx, http::Url base)
    : impl_(std::make_unique<Impl>(ctx.impl(), std::move(base))) {}

Session::~Session() = default;

const http::Url& Session::base() const { return impl_->base; }

bool Session::is_open() const { return impl_->open && impl_->socket.is_open(); }

void Session::abort() {
  impl_->aborted = true;
  impl_->close_socket();
}

void Session::watch(core::Micros deadline_us) { impl_->begin(deadline_us); }

void Session::unwatch() { impl_->end(); }

asio::awaitable<void> Session::connect(ConnectRequest req, Result& out) {
  Impl& s = *impl_;
  out = Result{};
  s.close_socket();
  // Safe here: no operation is pending (REQUIRES), so nothing uses the old streams.
  s.plain.reset();
  s.secure.reset();
  s.read_buffer.clear();
  s.timed_out = false;
  s.aborted = false;
  s.closing = false;
  s.begin(req.deadline_us);
  error_code ec = co_await s.open_tcp();
  if (!ec) {
    error_code hec = co_await s.handshake(req, &out);
    ec = hec;
  }
  s.end();
  if (!ec && (s.timed_out || s.aborted)) ec = asio::error::operation_aborted;
  if (ec) {
    s.fail(ec, out);
    if (out.status != 0) {
      out.error_detail = fmt::format("handshake rejected: HTTP {}", out.status);
    }
    s.close_socket();
    co_return;
  }
  s.open = true;
}

namespace {

template <class Stream>
asio::awaitable<error_code> write_on(Stream& stream, std::string_view text) {
  stream.text(true);
  auto [ec, n] = co_await stream.async_write(asio::buffer(text.data(), text.size()), kNoThrow);
  co_return ec;
}

template <class Stream>
asio::awaitable<error_code> read_on(Stream& stream, beast::flat_buffer& buffer) {
  auto [ec, n] = co_await stream.async_read(buffer, kNoThrow);
  co_return ec;
}

template <class Stream>
asio::awaitable<error_code> close_on(Stream& stream) {
  auto [ec] = co_await stream.async_close(websocket::close_code::normal, kNoThrow);
  co_return ec;
}

}  // namespace

asio::awaitable<void> Session::write_text(std::string_view text, core::Micros deadline_us,
                                          Result& out) {
  Impl& s = *impl_;
  out = Result{};
  if (!is_open() || s.closing) {
    out.error = core::NetError::kConnectionReset;
    out.error_detail = "the WebSocket connection is closed";
    co_return;
  }
  s.begin(deadline_us);
  error_code ec;
  if (s.secure) {
    ec = co_await write_on(*s.secure, text);
  } else {
    ec = co_await write_on(*s.plain, text);
  }
  s.end();
  if (ec) {
    s.fail(ec, out);
    s.close_socket();
  }
  out.bytes = text.size();
}

asio::awaitable<void> Session::read_message(std::string& message, Result& out) {
  Impl& s = *impl_;
  out = Result{};
  message.clear();
  if (!s.plain && !s.secure) {
    out.error = core::NetError::kConnectionReset;
    out.error_detail = "the WebSocket connection is closed";
    co_return;
  }
  error_code ec;
  if (s.secure) {
    ec = co_await read_on(*s.secure, s.read_buffer);
  } else {
    ec = co_await read_on(*s.plain, s.read_buffer);
  }
  if (ec) {
    s.fail(ec, out);
    s.close_socket();
    co_return;
  }
  const auto data = s.read_buffer.cdata();
  message.assign(static_cast<const char*>(data.data()), data.size());
  s.read_buffer.consume(data.size());
  out.bytes = message.size();
}

asio::awaitable<void> Session::close(core::Micros deadline_us) {
  Impl& s = *impl_;
  if (!is_open() || s.closing) {
    s.close_socket();
    co_return;
  }
  s.closing = true;
  s.begin(deadline_us);
  if (s.secure) {
    co_await close_on(*s.secure);
  } else {
    co_await close_on(*s.plain);
  }
  s.end();
  s.close_socket();
}

}  // namespace arrload::ws
