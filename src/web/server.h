#pragma once
// The web UI's HTTP server: one thread, HTTP/1.1 keep-alive, optional basic auth. Every request
// goes to web::handle (api.h), or to a handler of the caller's (the /metrics-only server of
// --prometheus-port); Beast stays inside server.cc.
#include <functional>
#include <memory>
#include <string>

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

  // Binds and starts the thread. Throws std::runtime_error naming the address when it cannot
  // listen (in use, not an address).
  void start();
  unsigned short port() const;
  // Closes the listener and the connections, joins the thread. Idempotent.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// The UI page (embedded in the binary at build time from src/web/assets/index.html).
std::string_view ui_page();

}  // namespace arrload::web
