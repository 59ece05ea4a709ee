#include "ws/session.h"

#include <optional>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "core/strings.h"
#include "http/error_map.h"
#include "http/net_shared.h"
#include "ws/error_map.h"
#include "ws/stream_settings.h"

namespace arrload::ws {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

using PlainStream = websocket::stream<tcp::socket&>;
using SecureStream = websocket::stream<asio::ssl::stream<tcp::socket&>>;

}  // namespace

// Connection::usable: the handshake is done and nothing failed since.
struct Session::Impl : http::Connection {
  Impl(http::NetContext& c, http::Url u)
      : Connection(c), base(std::move(u)), host_header(base.host_header()) {}

  void fail(const error_code& ec, Result& out);
  asio::awaitable<error_code> handshake(ConnectRequest req, Result* out);

  template <class Stream>
  void configure(Stream& stream, const ConnectRequest& req);

  http::Url base;
  std::string host_header;
  // Both reference socket, so closing it (watchdog, abort()) ends every operation. Replaced only
  // in connect(), when no operation is pending.
  std::optional<PlainStream> plain;
  std::optional<SecureStream> secure;
  beast::flat_buffer read_buffer;
  std::string target_buf;
  bool closing = false;  // close() sent (or is sending) a close frame
};

void Session::Impl::fail(const error_code& ec, Result& out) {
  usable = false;
  out.close_frame = ec == websocket::error::closed;
  if (timed_out) {
    out.error = core::NetError::kTimeout;
    out.error_detail = "timed out";
  } else if (aborted) {
    out.error = core::NetError::kAborted;
    out.error_detail = "aborted";
  } else if (!tls_failure.empty()) {
    out.error = core::NetError::kTls;
    out.error_detail = tls_failure;
  } else {
    out.error = map_error(ec);
    const std::uint16_t code = plain ? plain->reason().code : secure ? secure->reason().code : 0;
    out.error_detail = out.error == core::NetError::kResolve ? "unknown host " + base.host
                                                             : describe_error(ec, code);
  }
}

template <class Stream>
void Session::Impl::configure(Stream& stream, const ConnectRequest& req) {
  apply_stream_settings(stream);
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
    if (error_code ec = http::start_tls(secure, *this, base.host)) co_return ec;
    configure(*secure, req);
    auto [ec] =
        co_await secure->next_layer().async_handshake(asio::ssl::stream_base::client, kNoThrow);
    if (ec) {
      tls_failure = http::describe_tls_handshake_error(ec, tls_failure);  // see http/client.cc
      co_return ec;
    }
    error_code wec = co_await handshake_on(*secure, this, out);
    co_return wec;
  }
  plain.emplace(socket);
  configure(*plain, req);
  error_code wec = co_await handshake_on(*plain, this, out);
  co_return wec;
}

// ---- public API ----

Session::Session(Context& ctx, http::Url base)
    : impl_(std::make_unique<Impl>(ctx.net(), std::move(base))) {}

Session::~Session() = default;

const http::Url& Session::base() const { return impl_->base; }

bool Session::is_open() const { return impl_->usable && impl_->socket.is_open(); }

void Session::abort() { impl_->abort(); }

void Session::watch(core::Micros deadline_us) { impl_->watch(deadline_us); }

void Session::unwatch() { impl_->unwatch(); }

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
  s.tls_failure.clear();
  s.watch(req.deadline_us);
  error_code ec = co_await s.open_tcp(s.base.host, s.base.port);
  if (!ec) {
    error_code hec = co_await s.handshake(req, &out);
    ec = hec;
  }
  s.unwatch();
  if (!ec && (s.timed_out || s.aborted)) ec = asio::error::operation_aborted;
  if (ec) {
    s.fail(ec, out);
    if (out.status != 0) {
      out.error_detail = fmt::format("handshake rejected: HTTP {}", out.status);
    }
    s.close_socket();
    co_return;
  }
  s.usable = true;
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
  s.watch(deadline_us);
  error_code ec;
  if (s.secure) {
    ec = co_await write_on(*s.secure, text);
  } else {
    ec = co_await write_on(*s.plain, text);
  }
  s.unwatch();
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
  s.watch(deadline_us);
  if (s.secure) {
    co_await close_on(*s.secure);
  } else {
    co_await close_on(*s.plain);
  }
  s.unwatch();
  s.close_socket();
}

}  // namespace arrload::ws
