#include "web/server.h"

#include <array>
#include <atomic>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "net/listener.h"

namespace arrload::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kBodyLimit = 1 << 20;

std::string base64(const std::string& text) {
  std::string out(beast::detail::base64::encoded_size(text.size()), '\0');
  out.resize(beast::detail::base64::encode(out.data(), text.data(), text.size()));
  return out;
}

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view text) {
  Digest out{};
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), out.data(), &size, EVP_sha256(), nullptr);
  return out;
}

}  // namespace

bool authorized(std::string_view given, const std::string& login) {
  // Digests of equal length: CRYPTO_memcmp's time depends on neither side's content or length.
  const Digest expected = sha256("Basic " + base64(login));
  const Digest got = sha256(given);
  return CRYPTO_memcmp(expected.data(), got.data(), expected.size()) == 0;
}

std::string exposure_warning(const ServerOptions& options) {
  if (!options.login.empty()) return {};
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options.host, ec);
  if (ec || address.is_loopback()) return {};
  // An IPv4-mapped loopback (::ffff:127.0.0.1) is loopback too.
  if (address.is_v6() && address.to_v6().is_v4_mapped() &&
      asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).is_loopback()) {
    return {};
  }
  return fmt::format(
      "WARNING: the web UI listens on {} (beyond this machine) without a login; anyone who "
      "reaches it can start and stop tests (--web-login USER:PASSWORD protects it)",
      options.host);
}

struct Server::Impl {
  Impl(ServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)), acceptor(io) {}

  ServerOptions options;
  Handler handler;
  asio::io_context io{1};
  tcp::acceptor acceptor;
  std::thread thread;
  std::atomic<bool> stopped{false};
  unsigned short bound_port = 0;
};

namespace {

asio::awaitable<void> serve(Server::Impl* s, tcp::socket socket) {
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(kBodyLimit);
    auto [ec, n] = co_await bhttp::async_read(socket, buffer, parser, kNoThrow);
    if (ec) break;
    const auto& req = parser.get();
    bhttp::response<bhttp::string_body> res;
    res.version(req.version());
    res.keep_alive(req.keep_alive());
    res.set(bhttp::field::server, "arrload");
    res.set(bhttp::field::cache_control, "no-store");
    if (!s->options.login.empty() &&
        !authorized(req[bhttp::field::authorization], s->options.login)) {
      res.result(bhttp::status::unauthorized);
      res.set(bhttp::field::www_authenticate, "Basic realm=\"arrload\"");
      res.set(bhttp::field::content_type, "text/plain");
      res.body() = "login required\n";
    } else {
      HttpRequest in;
      in.method = std::string(req.method_string());
      in.target = std::string(req.target());
      in.body = req.body();
      in.content_type = std::string(req[bhttp::field::content_type]);
      HttpResponse out = s->handler(in);
      res.result(static_cast<unsigned>(out.status));
      res.set(bhttp::field::content_type, out.content_type);
      for (const auto& [name, value] : out.headers) res.set(name, value);
      if (req.method() != bhttp::verb::head) res.body() = std::move(out.body);
    }
    res.prepare_payload();
    auto [wec, written] = co_await bhttp::async_write(socket, res, kNoThrow);
    if (wec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace

Server::Server(ServerOptions options, Control& control)
    : Server(std::move(options),
             [&control](const HttpRequest& in) { return handle(control, in, ui_page()); }) {}

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() { stop(); }

void Server::start() {
  Impl& s = *impl_;
  if (!s.options.login.empty()) {
    if (s.options.login.find(':') == std::string::npos) {
      throw std::runtime_error("--web-login: write USER:PASSWORD");
    }
  }
  if (const std::string warning = exposure_warning(s.options); !warning.empty()) {
    fmt::print(stderr, "arrload: {}\n", warning);
    std::fflush(stderr);
  }
  boost::system::error_code ec;
  auto address = asio::ip::make_address(s.options.host, ec);
  if (ec) {
    throw std::runtime_error(fmt::format("{}: '{}' is not an IP address (e.g. 127.0.0.1)",
                                         s.options.host_option, s.options.host));
  }
  ec = net::listen(s.acceptor, tcp::endpoint(address, s.options.port));
  if (ec) {
    throw std::runtime_error(fmt::format("{}: cannot listen on {}:{}: {}", s.options.what,
                                         s.options.host, s.options.port, ec.message()));
  }
  s.bound_port = s.acceptor.local_endpoint().port();
  // Accept errors (too many open files, typically) are not reported: the others are served.
  asio::co_spawn(s.io,
                 net::accept_loop(
                     &s.acceptor, {&s.io},
                     [&s](tcp::socket socket) { return serve(&s, std::move(socket)); }, nullptr),
                 asio::detached);
  s.thread = std::thread([&s] { s.io.run(); });
}

unsigned short Server::port() const { return impl_->bound_port; }

void Server::stop() {
  Impl& s = *impl_;
  if (s.stopped.exchange(true)) return;
  s.io.stop();  // ends the accept loop and every connection's coroutine
  if (s.thread.joinable()) s.thread.join();
}

}  // namespace arrload::web
