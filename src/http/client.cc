#include "http/client.h"

#include <array>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>

#include "http/error_map.h"
#include "http/net_shared.h"
#include "http/request_writer.h"
#include "http/response_reader.h"

namespace arrload::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t kHeaderLimit = 64 * 1024;
constexpr std::uint64_t kKeptBodyLimit = 64ull << 20;

// What one write + read on an open connection produced.
struct Exchange {
  error_code ec;
  bool got_response_bytes = false;  // false: the request may be retried on a fresh connection
  bool keep_alive = false;          // the server allows another request on this connection
};

}  // namespace

// Connection::usable: the last exchange ended cleanly and the server keeps the connection.
struct Session::Impl : Connection {
  Impl(NetContext& c, Url u) : Connection(c), base(std::move(u)), host_header(base.host_header()) {}

  void begin(core::Micros timeout_us);
  asio::awaitable<error_code> connect();
  asio::awaitable<Exchange> exchange(Request req, Response* out);

  Url base;
  std::string host_header;
  // References socket, so closing the socket (watchdog, close()) also ends TLS operations. Only
  // replaced in connect(): destroying it under a pending operation would be undefined.
  std::optional<asio::ssl::stream<tcp::socket&>> tls;
  boost::beast::flat_buffer buffer;
  std::string request_head;  // reused serialization buffer
};

void Session::Impl::begin(core::Micros timeout_us) {
  timed_out = false;
  aborted = false;
  watch(core::now_us() + timeout_us);
}

asio::awaitable<error_code> Session::Impl::connect() {
  close_socket();
  tls.reset();  // safe here: this send is the only operation, and it is not using the stream
  buffer.clear();
  error_code ec = co_await open_tcp(base.host, base.port);
  if (ec || !base.tls) co_return ec;

  if (error_code tec = start_tls(tls, *this, base.host)) co_return tec;
  auto [hec] = co_await tls->async_handshake(asio::ssl::stream_base::client, kNoThrow);
  co_return hec;
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

Session::Session(ClientContext& ctx, Url base)
    : impl_(std::make_unique<Impl>(ctx.net(), std::move(base))) {}

Session::~Session() = default;

const Url& Session::base() const { return impl_->base; }

void Session::close() { impl_->abort(); }

asio::awaitable<void> Session::send(const Request& req, Response& out) {
  Impl& s = *impl_;
  reset(out);
  write_request_head(req, s.base.base_path, s.host_header, s.request_head);
  s.begin(req.timeout_us);
  const core::Micros start = core::now_us();
  error_code ec;
  for (int attempt = 0;; ++attempt) {
    const bool reused = s.usable && s.socket.is_open();
    if (!reused) {
      ec = co_await s.connect();
      if (ec) break;
    }
    const Exchange x = co_await s.exchange(req, &out);
    ec = x.ec;
    s.usable = x.keep_alive && s.socket.is_open() && !s.timed_out && !s.aborted;
    // A server may close an idle keep-alive connection just as we reuse it; then nothing of the
    // response arrived and one retry on a fresh connection is safe.
    const bool stale = reused && !x.got_response_bytes && is_stale_connection_error(ec);
    if (attempt > 0 || !stale || s.timed_out || s.aborted) break;
    out.status = 0;
  }
  if (!s.usable) s.close_socket();
  out.latency_us = core::now_us() - start;
  if (ec) {
    out.error = s.timed_out ? core::NetError::kTimeout
                : s.aborted ? core::NetError::kAborted
                            : map_error(ec);
    out.error_detail = s.timed_out              ? "request timed out"
                       : !s.tls_failure.empty() ? s.tls_failure
                                                : ec.message();
  }
  s.unwatch();
}

}  // namespace arrload::http
