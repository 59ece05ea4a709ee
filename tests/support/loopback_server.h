#pragma once
// The listening half of the scripted test servers (http/raw_server.h, ws/ws_test_server.h): a
// listener on 127.0.0.1:0 with its own thread, handing each connection, counted, to a coroutine.
// Make it its owner's last member: destroyed first, it stops the thread before anything the
// coroutines use goes away.
#include <atomic>
#include <functional>
#include <thread>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "net/listener.h"

namespace arrload::test_support {

class LoopbackServer {
 public:
  // SERVE runs once per connection, on the server's thread.
  explicit LoopbackServer(net::Serve serve)
      : acceptor_(io_,
                  boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)),
        serve_(std::move(serve)) {
    boost::asio::co_spawn(io_,
                          net::accept_loop(
                              &acceptor_, {&io_},
                              [this](boost::asio::ip::tcp::socket socket) {
                                ++connections_;
                                return serve_(std::move(socket));
                              },
                              nullptr),
                          boost::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~LoopbackServer() {
    io_.stop();
    thread_.join();
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  int connections() const { return connections_.load(); }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  net::Serve serve_;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

}  // namespace arrload::test_support
