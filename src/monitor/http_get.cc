#include "monitor/http_get.h"

#include <algorithm>
#include <optional>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "http/client.h"
#include "http/url.h"

namespace arrload::monitor {
namespace {

namespace asio = boost::asio;

struct SplitUrl {
  std::string base;    // scheme://authority
  std::string target;  // path and query, "/" at least
};

// http::Url takes a base URL without a query; a health URL is a whole request target, so the
// path and query are split off here and sent as the request's target.
std::optional<SplitUrl> split_url(const std::string& url) {
  const std::size_t scheme_end = url.find("://");
  const std::size_t authority_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  const std::size_t target_start = url.find_first_of("/?#", authority_start);
  SplitUrl out;
  out.base = url.substr(0, target_start);
  out.target = target_start == std::string::npos ? "/" : url.substr(target_start);
  if (out.target.find('#') != std::string::npos) out.target.erase(out.target.find('#'));
  if (out.target.empty() || out.target.front() != '/') out.target = "/" + out.target;
  if (out.target.find_first_of(" \t\r\n") != std::string::npos) return std::nullopt;
  return out;
}

asio::awaitable<void> send_one(http::Session* session, http::Request req, http::Response* out) {
  co_await session->send(req, *out);
}

}  // namespace

bool is_valid_url(const std::string& url) {
  std::optional<SplitUrl> split = split_url(url);
  return split && http::Url::parse(split->base).has_value();
}

HttpGetResult http_get(const std::string& url, std::chrono::milliseconds timeout,
                       const std::function<bool()>& stop) {
  HttpGetResult result;
  std::optional<SplitUrl> split = split_url(url);
  std::optional<http::Url> base = split ? http::Url::parse(split->base) : std::nullopt;
  if (!base) return result;
  result.valid_url = true;
  result.host = base->host;
  const bool ipv6 = base->host.find(':') != std::string::npos;
  result.authority = (ipv6 ? "[" + base->host + "]" : base->host) + ":" + base->port;

  asio::io_context io;
  http::ClientContext ctx(io);
  http::Response response;
  {
    http::Session session(ctx, std::move(*base));
    http::Request req;
    req.method = "GET";
    req.target = split->target;
    req.keep_body = true;
    req.timeout_us = std::max<core::Micros>(1, timeout.count() * 1000);
    asio::co_spawn(io, send_one(&session, req, &response), asio::detached);
    // run() returns when the send is done: the client keeps no work once idle.
    if (!stop) {
      io.run();
    } else {
      while (!io.stopped()) {
        io.run_for(std::chrono::milliseconds(50));
        if (!io.stopped() && stop()) {
          ctx.abort_all();  // the send completes with kAborted
          io.run();
        }
      }
    }
  }
  result.status = response.status;
  result.body = std::move(response.body);
  result.error = response.error;
  result.error_detail = std::move(response.error_detail);
  result.latency_ms = static_cast<double>(response.latency_us) / 1000.0;
  return result;
}

}  // namespace arrload::monitor
