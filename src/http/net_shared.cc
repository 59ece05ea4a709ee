#include "http/net_shared.h"

#include <algorithm>
#include <chrono>
#include <string_view>

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace arrload::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

using boost::system::error_code;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// Timeout granularity: an operation times out between its deadline and one tick later.
constexpr auto kWatchdogTick = std::chrono::milliseconds(25);

bool is_ip_literal(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// Lets a range connect skip the remaining addresses once the connection timed out or was aborted.
struct StillWanted {
  const Connection* c;
  bool operator()(const error_code&, const tcp::endpoint&) const {
    return !c->timed_out && !c->aborted;
  }
};

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

namespace {

bool is_special_invalid(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  constexpr std::string_view kInvalid = "invalid";
  if (host.size() < kInvalid.size()) return false;
  const std::string_view tail = host.substr(host.size() - kInvalid.size());
  const bool label =
      host.size() == kInvalid.size() || host[host.size() - kInvalid.size() - 1] == '.';
  return label && std::equal(tail.begin(), tail.end(), kInvalid.begin(),
                             [](char a, char b) { return (a | 0x20) == b; });
}

}  // namespace

asio::awaitable<Resolved> ResolveCache::resolve(std::string host, std::string port) {
  if (is_special_invalid(host)) co_return Resolved{asio::error::host_not_found, {}};
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

namespace {

// Asio's host name check, plus the reason a check failed: OpenSSL's handshake error says only
// "certificate verify failed", which does not tell an expired certificate from a wrong name.
struct ExplainedVerification {
  asio::ssl::host_name_verification names;
  std::string host;
  std::string* failure;

  bool operator()(bool preverified, asio::ssl::verify_context& ctx) {
    X509_STORE_CTX* store = ctx.native_handle();
    if (!preverified) {
      const int err = X509_STORE_CTX_get_error(store);
      *failure =
          fmt::format("certificate verify failed: {} (depth {})",
                      X509_verify_cert_error_string(err), X509_STORE_CTX_get_error_depth(store));
      return false;
    }
    if (!names(preverified, ctx)) {
      *failure =
          fmt::format("certificate verify failed: the certificate is not for host '{}'", host);
      return false;
    }
    return true;
  }
};

}  // namespace

error_code TlsClientContext::prepare(asio::ssl::stream<tcp::socket&>& tls, const std::string& host,
                                     std::string* failure) {
  if (!is_ip_literal(host)) {  // SNI carries names only
    SSL_set_tlsext_host_name(tls.native_handle(), host.c_str());
  }
  failure->clear();
  error_code ec;
  if (verify_) {
    tls.set_verify_callback(
        ExplainedVerification{asio::ssl::host_name_verification(host), host, failure}, ec);
  }
  return ec;
}

// ---- NetContext ----

NetContext::NetContext(asio::io_context& io, bool verify_tls)
    : io(io), tls(verify_tls), resolver(io), watchdog_(io) {}

NetContext::~NetContext() { watchdog_.cancel(); }

void NetContext::abort_all() {
  for (Connection& c : all_) c.abort();
}

void NetContext::arm_watchdog() {
  watchdog_armed_ = true;
  watchdog_.expires_after(kWatchdogTick);
  watchdog_.async_wait([this, token = std::weak_ptr<char>(alive_)](error_code ec) {
    if (token.expired()) return;
    watchdog_armed_ = false;
    if (!ec) on_tick();
  });
}

// Runs only while some connection is watched, so an idle io_context has no pending work and run()
// returns. Closing the socket again on every tick matters: a range connect that is interrupted
// reopens the socket to try the next address.
void NetContext::on_tick() {
  const core::Micros now = core::now_us();
  for (Connection& c : watched_) {
    if (now >= c.deadline) {
      c.timed_out = true;
      c.close_socket();
    }
  }
  if (!watched_.empty()) arm_watchdog();
}

// ---- Connection ----

Connection::Connection(NetContext& c) : ctx(c), socket(c.io) { ctx.all_.push_back(*this); }

Connection::~Connection() {
  unwatch();
  ctx.all_.erase(ctx.all_.iterator_to(*this));
}

void Connection::watch(core::Micros deadline_us) {
  deadline = deadline_us;
  if (watched()) return;
  ctx.watched_.push_back(*this);
  if (!ctx.watchdog_armed_) ctx.arm_watchdog();
}

void Connection::unwatch() {
  if (watched()) ctx.watched_.erase(ctx.watched_.iterator_to(*this));
}

void Connection::close_socket() {
  usable = false;
  if (!socket.is_open()) return;
  error_code ignored;
  socket.close(ignored);  // completes pending operations with operation_aborted
}

void Connection::abort() {
  aborted = true;
  close_socket();
}

asio::awaitable<error_code> Connection::open_tcp(std::string host, std::string port) {
  Resolved r = co_await ctx.resolver.resolve(std::move(host), std::move(port));
  if (r.ec) co_return r.ec;
  if (timed_out || aborted) co_return asio::error::operation_aborted;
  auto [ec, endpoint] =
      co_await asio::async_connect(socket, r.results, StillWanted{this}, kNoThrow);
  if (ec) co_return ec;
  socket.set_option(tcp::no_delay(true), ec);
  co_return error_code{};
}

// ---- ClientContext ----

ClientContext::ClientContext(asio::io_context& io, bool verify_tls)
    : net_(std::make_unique<NetContext>(io, verify_tls)) {}

ClientContext::~ClientContext() = default;

void ClientContext::abort_all() { net_->abort_all(); }

void ClientContext::set_max_body_bytes(std::uint64_t bytes) { net_->max_body_bytes = bytes; }

}  // namespace arrload::http
