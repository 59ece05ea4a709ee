#include "http/net_shared.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace arrload::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
}  // namespace

struct ResolveCache::Entry {
  explicit Entry(asio::io_context& io) : ready(io) {}
  bool pending = false;
  bool resolved = false;
  boost::system::error_code ec;  // of the last attempt
  tcp::resolver::results_type results;
  asio::steady_timer ready;  // never expires: cancel() wakes the sessions waiting for a result
};

ResolveCache::ResolveCache(asio::io_context& io) : io_(io), resolver_(io) {}
ResolveCache::~ResolveCache() = default;

asio::awaitable<Resolved> ResolveCache::resolve(std::string host, std::string port) {
  auto& slot = entries_[host + " " + port];
  if (!slot) slot = std::make_unique<Entry>(io_);
  Entry& entry = *slot;
  if (entry.resolved) co_return Resolved{{}, entry.results};
  if (entry.pending) {
    co_await entry.ready.async_wait(kNoThrow);
    co_return Resolved{entry.ec, entry.results};
  }
  entry.pending = true;
  entry.ready.expires_at(asio::steady_timer::time_point::max());
  auto [ec, results] =
      co_await resolver_.async_resolve(host, port, tcp::resolver::numeric_service, kNoThrow);
  entry.pending = false;
  entry.resolved = !ec && !results.empty();
  entry.ec = ec;
  entry.results = results;
  entry.ready.cancel();
  co_return Resolved{ec, std::move(results)};
}

asio::ssl::context& TlsClientContext::get() {
  if (!tls_) {
    tls_.emplace(asio::ssl::context::tls_client);
    boost::system::error_code
        ignored;  // without system CAs every verification fails, reported then
    if (verify_) tls_->set_default_verify_paths(ignored);
    tls_->set_verify_mode(verify_ ? asio::ssl::verify_peer : asio::ssl::verify_none, ignored);
  }
  return *tls_;
}

}  // namespace arrload::http
