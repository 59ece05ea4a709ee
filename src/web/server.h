#pragma once
// The web UI's HTTP server: one thread, HTTP/1.1 keep-alive, optional basic auth. With a login,
// every request (each route of api.cc's table, unknown paths, the page) needs it before it
// reaches web::handle (api.h), or a handler of the caller's (the /metrics-only server of
// --prometheus-port): 401 with WWW-Authenticate otherwise. Beast stays inside server.cc.
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "web/api.h"

namespace arrload::web {

struct ServerOptions {
  std::string host = "127.0.0.1";  // address to listen on
  unsigned short port = 8089;      // 0 = any free port; see Server::port()
  std::string login;               // "user:password": HTTP basic auth; empty = none
  // What the server is and the option naming its host, for error messages.
  std::string what = "web UI";
  std::string host_option = "--web-host";
};

// Answers one request; called on the server's thread.
using Handler = std::function<HttpResponse(const HttpRequest&)>;

class Server {
 public:
  // CONTROL must outlive the server.
  Server(ServerOptions options, Control& control);
  // Serves HANDLER instead (basic auth still checked first). HANDLER must be thread-safe with
  // respect to the caller's other threads.
  Server(ServerOptions options, Handler handler);
  ~Server();  // stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Prints exposure_warning() (if any) on stderr, binds and starts the thread. Throws
  // std::runtime_error naming the address when it cannot listen (in use, not an address).
  void start();
  unsigned short port() const;
  // Closes the listener and the connections, joins the thread. Idempotent.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// What Server::start() prints on stderr before it listens when OPTIONS expose the UI beyond this
// machine without a login: HOST is not a loopback address (0.0.0.0, ::, a real interface's
// address) and LOGIN is empty. Empty when the options are safe. Throws nothing: a HOST that is
// not an address gets no warning here (start() rejects it).
std::string exposure_warning(const ServerOptions& options);

// Whether the "Authorization" field value GIVEN carries LOGIN ("user:password") as HTTP basic
// auth. Compares SHA-256 digests of the expected and the given field in constant time, so
// neither the password's length nor its common prefix with a guess shows in the timing.
bool authorized(std::string_view given, const std::string& login);

// The UI page (embedded in the binary at build time from src/web/assets/index.html).
std::string_view ui_page();

}  // namespace arrload::web
