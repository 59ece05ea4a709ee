#pragma once
// The web UI's HTTP server: one thread, HTTP/1.1 keep-alive, optional basic auth. Every request
// goes to web::handle (api.h); Beast stays inside server.cc.
#include <memory>
#include <string>

#include "web/api.h"

namespace arrload::web {

struct ServerOptions {
  std::string host = "127.0.0.1";  // address to listen on
  unsigned short port = 8089;      // 0 = any free port; see Server::port()
  std::string login;               // "user:password": HTTP basic auth; empty = none
};

class Server {
 public:
  // CONTROL must outlive the server.
  Server(ServerOptions options, Control& control);
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
