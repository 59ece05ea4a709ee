#include "http/client.h"

#include <array>
#include <ctime>
#include <optional>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>

#include "core/duration.h"
#include "core/strings.h"
#include "http/error_map.h"
#include "http/net_shared.h"
#include "http/redirect.h"
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

// What one write + read on an open connection produced.
struct Exchange {
  error_code ec;
  bool got_response_bytes = false;  // false: the request may be retried on a fresh connection
  bool keep_alive = false;          // the server allows another request on this connection
};

// A keep-alive connection to one origin. Connection::usable: the last exchange ended cleanly
// and the server keeps the connection.
struct Link : Connection {
  Link(NetContext& c, Url u) : Connection(c), base(std::move(u)), host_header(base.host_header()) {}

  void begin(core::Micros deadline_us) {
    timed_out = false;
    aborted = false;
    watch(deadline_us);
  }
  asio::awaitable<error_code> connect();

  Url base;
  std::string host_header;
  // References socket, so closing the socket (watchdog, close()) also ends TLS operations. Only
  // replaced in connect(): destroying it under a pending operation would be undefined.
  std::optional<asio::ssl::stream<tcp::socket&>> tls;
  boost::beast::flat_buffer buffer;
};

asio::awaitable<error_code> Link::connect() {
  close_socket();
  tls_failure.clear();  // a failure of an earlier handshake is not this connection's
  tls.reset();  // safe here: this send is the only operation, and it is not using the stream
  buffer.clear();
  error_code ec = co_await open_tcp(base.host, base.port);
  if (ec || !base.tls) co_return ec;

  if (error_code tec = start_tls(tls, *this, base.host)) co_return tec;
  auto [hec] = co_await tls->async_handshake(asio::ssl::stream_base::client, kNoThrow);
  // Whatever ended the handshake (a certificate, a peer speaking no TLS, a close) is a TLS failure;
  // a timeout or an abort is reported as such (Session::Impl::finish looks at those first).
  if (hec) tls_failure = describe_tls_handshake_error(hec, tls_failure);
  co_return hec;
}

}  // namespace

// What one send() carries from hop to hop; lives in its coroutine frame.
struct Hops {
  Request hop;                 // what the current hop sends (redirects change it)
  Link* link = nullptr;        // where it goes
  std::string_view base_path;  // the base URL's path prefix; "" after a redirect
  bool have_target = false;    // Impl::hop_target holds the whole target of this hop
  core::NetError failure = core::NetError::kNone;  // why the redirects stopped, if they failed
};

struct Session::Impl {
  Impl(NetContext& c, Url u) : home(c, std::move(u)) {}

  // The whole target (path and query) of the current hop, built on first use.
  std::string_view target(Hops& h);
  // Writes the head of the current hop into request_head, with the jar's cookies.
  void write_head(Hops& h, CookieJar* jar);
  // After a hop that got a response: stores its cookies, and when it is a redirect to follow,
  // turns H into the next hop and returns true. Sets H.failure (and OUT.error_detail) when the
  // redirect cannot be followed.
  bool next_hop(const Request& req, Hops& h, Response& out);
  // Where the redirect in fields.location leads from LINK and TARGET: the link to use (home,
  // or away made or re-aimed), the next target in NEXT_TARGET. Null when it cannot be followed.
  Link* follow(const Link& link, std::string_view target, std::string& next_target);
  // Sets OUT's latency and error at the end of a send that began at START with TIMEOUT_US.
  void finish(const Hops& h, error_code ec, core::Micros start, core::Micros timeout_us,
              Response& out);
  // The stable detail of a failure that no flag of the link explains.
  static std::string describe(core::NetError error, error_code ec, const Link& link);

  Link home;
  std::unique_ptr<Link> away;  // the last other origin a redirect led to
  std::string request_head;    // reused serialization buffer
  ResponseFields fields;       // of the last response
  std::unique_ptr<Decoder> decoder;
  std::string cookie_header;  // reused
  std::string hop_target;     // the whole target of the current hop, when needed
};

namespace {

template <class Stream>
asio::awaitable<Exchange> exchange_on(Stream& stream, Session::Impl* s, Link* link, Request req,
                                      Response* out) {
  Exchange result;
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(s->request_head),
                                                  asio::buffer(req.body)};
  auto [wec, written] = co_await asio::async_write(stream, buffers, kNoThrow);
  if (wec) {
    result.ec = wec;
    co_return result;
  }

  const std::uint64_t limit = link->ctx.max_body_bytes;
  ResponseReader parser(req.keep_body ? &out->body : nullptr, &s->fields, &s->decoder,
                        req.cookies != nullptr, req.method == "HEAD", limit);
  if (req.capture_headers != nullptr) parser.capture(req.capture_headers, &out->headers);
  parser.header_limit(kHeaderLimit);
  // Kept or only counted, a body has a limit: a target streaming without end must fail the
  // request, not hold the user for ever (or, kept, take the generator's memory).
  parser.body_limit(limit > 0 ? boost::optional<std::uint64_t>(limit) : boost::none);

  auto [rec, read] = co_await bhttp::async_read(stream, link->buffer, parser, kNoThrow);
  result.ec = rec;
  result.got_response_bytes = parser.got_some();
  if (parser.is_header_done()) out->status = parser.status();
  out->body_bytes = parser.body_bytes();
  out->wire_bytes = parser.wire_bytes();
  // basic_parser's keep_alive() also says no when the body ends at the connection's close.
  result.keep_alive = !rec && parser.keep_alive();
  co_return result;
}

asio::awaitable<Exchange> exchange(Session::Impl* s, Link* link, Request req, Response* out) {
  if (link->tls) return exchange_on(*link->tls, s, link, req, out);
  return exchange_on(link->socket, s, link, req, out);
}

void reset(Response& out) {
  out.status = 0;
  out.body_bytes = 0;
  out.wire_bytes = 0;
  out.body.clear();
  out.redirects = 0;
  out.headers.clear();
  out.error = core::NetError::kNone;
  out.error_detail.clear();
  out.latency_us = 0;
}

// The whole target of the first hop: the base URL's path prefix and the request's target.
void whole_target(std::string_view base_path, std::string_view target, std::string& out) {
  out.assign(base_path);
  if (target.empty() || target.front() != '/') out.push_back('/');
  out.append(target);
}

}  // namespace

std::string_view Session::Impl::target(Hops& h) {
  if (!h.have_target) whole_target(h.base_path, h.hop.target, hop_target);
  h.have_target = true;
  return hop_target;
}

void Session::Impl::write_head(Hops& h, CookieJar* jar) {
  HopHeaders extra;
  extra.other_origin = h.link != &home;
  if (jar != nullptr && !jar->empty()) {
    jar->header_for(h.link->base.host, target(h), h.link->base.tls, std::time(nullptr),
                    cookie_header);
    extra.cookie = cookie_header;
  }
  write_request_head(h.hop, h.base_path, h.link->host_header, request_head, extra);
}

bool Session::Impl::next_hop(const Request& req, Hops& h, Response& out) {
  if (req.cookies != nullptr && !fields.set_cookies.empty()) {
    const std::int64_t now = std::time(nullptr);
    for (const std::string& value : fields.set_cookies) {
      req.cookies->store(value, h.link->base.host, target(h), now);
    }
  }
  if (req.max_redirects <= 0 || !is_redirect(out.status) || fields.location.empty()) return false;
  if (out.redirects >= req.max_redirects) {
    h.failure = core::NetError::kTooManyRedirects;
    out.error_detail = fmt::format("too many redirects ({})", req.max_redirects);
    return false;
  }
  std::string next_target;  // a redirect may allocate; the common path does not get here
  Link* next = follow(*h.link, target(h), next_target);
  if (next == nullptr) {
    h.failure = core::NetError::kBadRedirect;
    out.error_detail = fmt::format("cannot follow the redirect to '{}'", fields.location);
    return false;
  }
  if (home.aborted || h.link->aborted) {  // close() between the hops
    h.failure = core::NetError::kAborted;
    return false;
  }
  if (next != &home) next->begin(home.deadline);
  h.link = next;
  ++out.redirects;
  hop_target.swap(next_target);
  h.hop.target = hop_target;
  h.base_path = {};
  h.hop.method = redirected_method(out.status, h.hop.method);
  if (!redirect_keeps_body(out.status)) {
    h.hop.body = {};
    h.hop.content_type = {};
  }
  out.status = 0;
  out.body.clear();
  return true;
}

Link* Session::Impl::follow(const Link& link, std::string_view target, std::string& next_target) {
  std::optional<RedirectTarget> next = resolve_redirect(link.base, target, fields.location);
  if (!next) return nullptr;
  next_target = std::move(next->target);
  if (same_origin(next->origin, home.base)) return &home;
  if (!away || !same_origin(next->origin, away->base)) {
    // Safe: no operation is pending on the old one (this send is the only one).
    away = std::make_unique<Link>(home.ctx, std::move(next->origin));
  }
  return away.get();
}

// ---- public API ----

Session::Session(ClientContext& ctx, Url base)
    : impl_(std::make_unique<Impl>(ctx.net(), std::move(base))) {}

Session::~Session() = default;

const Url& Session::base() const { return impl_->home.base; }

void Session::close() {
  impl_->home.abort();
  if (impl_->away) impl_->away->abort();
}

asio::awaitable<void> Session::send(const Request& req, Response& out) {
  Impl& s = *impl_;
  reset(out);
  const core::Micros start = core::now_us();
  s.home.begin(start + req.timeout_us);
  Hops h{req, &s.home, s.home.base.base_path};
  error_code ec;
  do {
    s.write_head(h, req.cookies);
    // The hop's I/O is written here, not in a coroutine of its own: one coroutine frame fewer
    // per request is one allocation fewer (docs/BENCHMARKS.md, section 8).
    Link* link = h.link;
    for (int attempt = 0;; ++attempt) {
      const bool reused = link->usable && link->socket.is_open();
      if (!reused) {
        ec = co_await link->connect();
        if (ec) break;
      }
      const Exchange x = co_await exchange(&s, link, h.hop, &out);
      ec = x.ec;
      link->usable = x.keep_alive && link->socket.is_open() && !link->timed_out && !link->aborted;
      // A server may close an idle keep-alive connection just as we reuse it; then nothing of
      // the response arrived and one retry on a fresh connection is safe.
      const bool stale = reused && !x.got_response_bytes && is_stale_connection_error(ec);
      if (attempt > 0 || !stale || link->timed_out || link->aborted) break;
      out.status = 0;
    }
    if (!link->usable) link->close_socket();
  } while (!ec && s.next_hop(req, h, out));
  s.finish(h, ec, start, req.timeout_us, out);
}

void Session::Impl::finish(const Hops& h, error_code ec, core::Micros start,
                           core::Micros timeout_us, Response& out) {
  out.latency_us = core::now_us() - start;
  const Link& link = *h.link;
  if (ec) {
    // Every detail is stable for one cause (no sizes, addresses or counts that vary): failure
    // messages are grouped by their text.
    if (link.timed_out) {
      out.error = core::NetError::kTimeout;
      out.error_detail = fmt::format("timed out after {}",
                                     core::format_duration(std::chrono::microseconds(timeout_us)));
    } else if (link.aborted) {
      out.error = core::NetError::kAborted;
    } else if (fields.decode_failed) {
      out.error = core::NetError::kContentDecoding;
      out.error_detail = decoder->error();
    } else if (!link.tls_failure.empty()) {
      out.error = core::NetError::kTls;
      out.error_detail = link.tls_failure;
    } else {
      out.error = map_error(ec);
      out.error_detail = describe(out.error, ec, link);
    }
  } else if (h.failure != core::NetError::kNone) {
    out.error = h.failure;
  }
  home.unwatch();
  if (away) away->unwatch();
}

std::string Session::Impl::describe(core::NetError error, error_code ec, const Link& link) {
  switch (error) {
    case core::NetError::kBodyTooLarge:
      return "response body over " + format_size(link.ctx.max_body_bytes);
    case core::NetError::kResolve:
      return "unknown host " + link.base.host;
    case core::NetError::kProtocol: {
      std::string parse = describe_parse_error(ec);
      return parse.empty() ? ec.message() : parse;
    }
    default:
      return ec.message();
  }
}

}  // namespace arrload::http
