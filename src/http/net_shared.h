#pragma once
// Per-thread client plumbing shared by http::ClientContext and ws::Context: a name-lookup cache
// and the TLS client context. Asio types; include only from .cc files that already use Asio.
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

namespace arrload::http {

struct Resolved {
  boost::system::error_code ec;
  boost::asio::ip::tcp::resolver::results_type results;
};

// One lookup per host:port and thread: many sessions connecting at once share the first one's
// answer. Answers are kept for the cache's life (the length of a run); failures are not.
// Not thread-safe: one io_context thread.
class ResolveCache {
 public:
  explicit ResolveCache(boost::asio::io_context& io);
  ~ResolveCache();
  ResolveCache(const ResolveCache&) = delete;
  ResolveCache& operator=(const ResolveCache&) = delete;

  boost::asio::awaitable<Resolved> resolve(std::string host, std::string port);

 private:
  struct Entry;
  boost::asio::io_context& io_;
  boost::asio::ip::tcp::resolver resolver_;
  // unique_ptr: entries are referenced across suspension points while the map may rehash.
  std::unordered_map<std::string, std::unique_ptr<Entry>> entries_;
};

// The TLS client context, made on first use. VERIFY: check certificates against the system CAs
// (off: Locust's default insecure mode, for self-signed test servers).
class TlsClientContext {
 public:
  explicit TlsClientContext(bool verify) : verify_(verify) {}
  boost::asio::ssl::context& get();
  bool verify() const { return verify_; }

 private:
  bool verify_;
  std::optional<boost::asio::ssl::context> tls_;
};

}  // namespace arrload::http
