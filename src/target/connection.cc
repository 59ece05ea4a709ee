#include "target/connection.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "core/rng.h"
#include "core/strings.h"
#include "target/request_view.h"
#include "target/ws_session.h"

// GCC 12 misreads Asio's coroutine frame recycling (aligned_alloc, then the frame's own operator
// delete, which frees it correctly) as a mismatched new/delete once the frame grows large.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace arrload::target {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// After rejecting a request, how much of the rest of it to read and for how long, so the client
// gets our answer instead of a reset (closing with unread data sends RST).
constexpr std::size_t kLingerBytes = 8u << 20;
constexpr std::size_t kLingerChunk = 64u << 10;
constexpr auto kLingerTime = std::chrono::seconds(1);

// Counts the connection as open for as long as its coroutine frame lives.
class OpenConnection {
 public:
  explicit OpenConnection(Counters& c) : c_(c) { ++c_.open_connections; }
  ~OpenConnection() { --c_.open_connections; }
  OpenConnection(const OpenConnection&) = delete;
  OpenConnection& operator=(const OpenConnection&) = delete;

 private:
  Counters& c_;
};

std::string random_request_id() {
  thread_local core::Rng rng(static_cast<std::uint64_t>(Clock::now().time_since_epoch().count()) ^
                             reinterpret_cast<std::uintptr_t>(&rng));
  return fmt::format("{:08x}", rng() & 0xffffffffu);
}

void report(const ConnectionContext* ctx, int status, const error_code& ec) {
  if (!ctx->quiet)
    fmt::print(stderr, "arrload target: {} for a request: {}\n", status, ec.message());
}

// Answers a request that could not be read, then lets the client finish sending before closing.
asio::awaitable<void> reject(tcp::socket& socket, boost::beast::flat_buffer& buffer, error_code ec,
                             const ConnectionContext* ctx) {
  Response res = rejection(ec);
  report(ctx, res.status, ec);
  auto msg = make_message(std::move(res), Request{}, random_request_id(), false, Clock::now());
  auto [wec, written] = co_await bhttp::async_write(socket, msg, kNoThrow);
  ++ctx->counters.requests_served;
  if (wec) co_return;

  error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  asio::steady_timer linger(socket.get_executor(), kLingerTime);
  linger.async_wait([&socket](error_code timer_ec) {
    if (!timer_ec) socket.close(timer_ec);  // only when it fired: a cancelled wait has no socket
  });
  std::size_t drained = 0;
  while (drained < kLingerBytes) {
    buffer.consume(buffer.size());
    auto [rec, n] = co_await socket.async_read_some(buffer.prepare(kLingerChunk), kNoThrow);
    if (rec) break;
    drained += n;
  }
  linger.cancel();
}

bool is_closed_by_peer(const error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
         ec.category() != bhttp::make_error_code(bhttp::error::end_of_stream).category();
}

// The client's own X-Request-ID when it sent a sensible one, else a fresh one.
std::string request_id_for(const Request& req) {
  const std::string_view id = req.header("X-Request-ID");
  return id.empty() || id.size() > 200 ? random_request_id() : std::string(id);
}

bool is_logged(const Request& req) {
  return !req.path.starts_with("/__target/") && req.path != "/metrics";
}

void log_line(LogBuffer& logs, std::string_view level, std::string message,
              const std::string& request_id) {
  logs.add(LogEntry{iso_now(), std::string(level), "autoarr.api.middleware", std::move(message),
                    request_id});
}

// The middleware's two lines per request, as AutoArr logs them.
void log_started(const ConnectionContext* ctx, const Request& req, const std::string& id) {
  if (!is_logged(req)) return;
  log_line(ctx->logs, "INFO", fmt::format("Request started: {} {}", req.method, req.path), id);
}

void log_completed(const ConnectionContext* ctx, const Request& req, int status,
                   Clock::time_point start, const std::string& id) {
  if (!is_logged(req)) return;
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const std::string_view level = status >= 500 ? "ERROR" : status >= 400 ? "WARNING" : "INFO";
  log_line(
      ctx->logs, level,
      fmt::format("Request completed: {} {} - {} ({:.3f}s)", req.method, req.path, status, seconds),
      id);
}

// How long to wait before sending RES: its modelled cost, scaled, then any fault hold.
Clock::duration response_wait(const Response& res, const ConnectionContext* ctx) {
  const double delay_ms = res.model_delay_ms * ctx->latency_scale + res.fixed_delay_ms;
  const auto delay = std::chrono::microseconds(static_cast<long long>(delay_ms * 1000));
  return delay + ctx->faults.hold(res.group, Clock::now() + delay);
}

// Closes with a TCP reset (RST) instead of the orderly FIN: an abortive close, SO_LINGER 0.
void reset_connection(tcp::socket& socket) {
  error_code ignored;
  socket.set_option(asio::socket_base::linger(true, 0), ignored);
  socket.close(ignored);
}

// Runs JOB on the database thread and resumes the calling coroutine on its own executor with
// the job's response. The handler is shared because DbWorker's queue holds copyable jobs.
asio::awaitable<Response> run_on_db(DbJob job, DbWorker* worker) {
  Response res = co_await asio::async_initiate<decltype(asio::use_awaitable), void(Response)>(
      [worker](auto handler, DbJob db_job) {
        using Handler = decltype(handler);
        auto shared = std::make_shared<Handler>(std::move(handler));
        worker->post([shared, db_job = std::move(db_job)](Database& db) {
          Response result = run_db_job(db_job, db);
          auto executor = asio::get_associated_executor(*shared);
          asio::post(executor, [shared, result = std::move(result)]() mutable {
            std::move (*shared)(std::move(result));
          });
        });
      },
      asio::use_awaitable, std::move(job));
  co_return res;
}

using Parser = RequestParser;

// Reads the rest of a header block whose first bytes have arrived, closing the socket if it is
// not complete within LIMIT (a slowloris client). The timer's handler reaches the socket through
// a pointer cleared before this returns, so a handler already queued when the header completes
// does nothing.
asio::awaitable<error_code> read_header_by(tcp::socket& socket, boost::beast::flat_buffer& buffer,
                                           Parser& parser, Clock::duration limit) {
  asio::steady_timer deadline(socket.get_executor(), limit);
  auto target = std::make_shared<tcp::socket*>(&socket);
  deadline.async_wait([target](error_code ec) {
    error_code ignored;
    if (!ec && *target != nullptr) (*target)->close(ignored);
  });
  auto [ec, n] = co_await bhttp::async_read_header(socket, buffer, parser, kNoThrow);
  *target = nullptr;
  deadline.cancel();
  co_return ec;
}

bool has_whole_header(const boost::beast::flat_buffer& buffer) {
  const std::string_view data(static_cast<const char*>(buffer.data().data()), buffer.size());
  return data.find("\r\n\r\n") != std::string_view::npos;
}

// Reads one request into PARSER. Waiting for its first bytes has no deadline (an idle
// keep-alive connection); the header block then has HEADER_TIMEOUT. The deadline timer is
// armed only when the header did not come whole with the first bytes, so the common case costs
// no timer. (Beast's own reads only return once the whole header is there, hence the raw read.)
asio::awaitable<error_code> read_request(tcp::socket& socket, boost::beast::flat_buffer& buffer,
                                         Parser& parser, Clock::duration header_timeout) {
  constexpr std::size_t kFirstRead = 16 * 1024;
  if (buffer.size() == 0) {
    auto [ec, n] = co_await socket.async_read_some(buffer.prepare(kFirstRead), kNoThrow);
    if (ec) co_return ec;
    buffer.commit(n);
  }
  if (!has_whole_header(buffer) && buffer.size() < kRequestHeaderLimit) {
    const error_code ec = co_await read_header_by(socket, buffer, parser, header_timeout);
    if (ec) co_return ec;
  }
  auto [ec, n] = co_await bhttp::async_read(socket, buffer, parser, kNoThrow);
  co_return ec;
}

}  // namespace

asio::awaitable<void> serve_connection(tcp::socket socket, const ConnectionContext* ctx) {
  OpenConnection counted(ctx->counters);
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  const std::string client = socket.remote_endpoint(ignored).address().to_string();
  boost::beast::flat_buffer buffer;
  const auto header_timeout = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(ctx->header_timeout_s));
  for (;;) {
    Parser parser;
    limit_request(parser);
    const error_code ec = co_await read_request(socket, buffer, parser, header_timeout);
    if (ec) {
      if (!is_closed_by_peer(ec)) co_await reject(socket, buffer, ec, ctx);
      break;
    }
    const Clock::time_point start = Clock::now();
    Request view = make_view(parser.get(), client);
    const bool upgrade = is_websocket_upgrade(view);
    if (upgrade && is_websocket_path(view.path)) {
      co_await serve_websocket(std::move(socket), parser.release(), ctx);
      co_return;
    }
    const std::string request_id = request_id_for(view);
    log_started(ctx, view, request_id);
    // Starlette matches WebSocket routes only: an upgrade anywhere else finds no route.
    Response res = upgrade ? error_response(404, "Not Found") : ctx->router.dispatch(view);
    if (res.drop_connection) break;
    ctx->faults.on_request(res.group, start);
    if (ctx->faults.draw_reset(res.group)) {
      reset_connection(socket);
      co_return;
    }
    if (res.db_job) {
      Response done = co_await run_on_db(std::move(res.db_job), ctx->db);
      res.status = done.status;
      res.body = std::move(done.body);
      res.headers = std::move(done.headers);
    }
    const Clock::duration wait = response_wait(res, ctx);
    if (wait > Clock::duration::zero()) {
      asio::steady_timer timer(socket.get_executor(), wait);
      co_await timer.async_wait(kNoThrow);
    }
    if (res.on_ready) res.on_ready();
    log_completed(ctx, view, res.status, start, request_id);
    const bool keep_alive = parser.get().keep_alive();
    const auto status_class = static_cast<std::size_t>(std::clamp(res.status / 100, 0, 5));
    auto msg = make_message(std::move(res), view, request_id, keep_alive, start);
    auto [wec, written] = co_await bhttp::async_write(socket, msg, kNoThrow);
    ++ctx->counters.requests_served;
    ++ctx->counters.by_class[status_class];
    if (wec || !keep_alive) break;
  }
  socket.shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace arrload::target
