#pragma once
// A scriptable HTTP/1.1 server on 127.0.0.1:0 for the client tests: each request's reply (raw
// bytes, silence, or a close) comes from a handler. Runs on its own thread; header-only because
// only client_test.cc uses it.
#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "support/loopback_server.h"

namespace arrload::http::test {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using RawRequest = bhttp::request<bhttp::string_body>;

struct Reply {
  enum class Action { kRespond, kIgnore, kClose };
  Action action = Action::kRespond;
  std::string bytes;         // written as they are
  bool close_after = false;  // close the connection once written
};

// A complete response with Content-Length; EXTRA_HEADERS are "Name: value\r\n" lines.
inline std::string make_response(int status, std::string_view body,
                                 std::string_view extra_headers = "") {
  return fmt::format("HTTP/1.1 {} X\r\nContent-Length: {}\r\n{}\r\n{}", status, body.size(),
                     extra_headers, body);
}

inline Reply respond(int status, std::string_view body, std::string_view extra_headers = "") {
  return Reply{Reply::Action::kRespond, make_response(status, body, extra_headers), false};
}

class RawServer {
 public:
  using Handler = std::function<Reply(const RawRequest&)>;

  // TLS, when given, must outlive the server.
  explicit RawServer(Handler handler, asio::ssl::context* tls = nullptr)
      : handler_(std::move(handler)), tls_(tls), server_([this](tcp::socket socket) {
          return tls_ != nullptr ? serve_tls(std::move(socket), this)
                                 : serve(std::move(socket), this);
        }) {}

  unsigned short port() const { return server_.port(); }
  int connections() const { return server_.connections(); }
  int requests() const { return requests_.load(); }

 private:
  static constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

  static asio::awaitable<void> serve_tls(tcp::socket socket, RawServer* self) {
    asio::ssl::stream<tcp::socket> stream(std::move(socket), *self->tls_);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kNoThrow);
    if (!ec) co_await serve_stream(stream, self);
  }

  static asio::awaitable<void> serve(tcp::socket socket, RawServer* self) {
    co_await serve_stream(socket, self);
  }

  template <class Stream>
  static asio::awaitable<void> serve_stream(Stream& stream, RawServer* self) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      RawRequest req;
      auto [ec, n] = co_await bhttp::async_read(stream, buffer, req, kNoThrow);
      if (ec) co_return;
      ++self->requests_;
      Reply reply = self->handler_(req);
      if (reply.action == Reply::Action::kClose) co_return;
      if (reply.action == Reply::Action::kIgnore) continue;  // the next read waits for the close
      auto [wec, written] = co_await asio::async_write(stream, asio::buffer(reply.bytes), kNoThrow);
      if (wec || reply.close_after) co_return;
    }
  }

  Handler handler_;
  asio::ssl::context* tls_;
  std::atomic<int> requests_{0};
  test_support::LoopbackServer server_;  // last: stops before the rest goes
};

// A TLS server context with a fresh self-signed certificate for "localhost".
inline asio::ssl::context self_signed_tls_context() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  asio::ssl::context ctx(asio::ssl::context::tls_server);
  SSL_CTX_use_certificate(ctx.native_handle(), cert);
  SSL_CTX_use_PrivateKey(ctx.native_handle(), key);
  X509_free(cert);
  EVP_PKEY_free(key);
  return ctx;
}

}  // namespace arrload::http::test
