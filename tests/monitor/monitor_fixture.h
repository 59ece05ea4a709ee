#pragma once
// The monitor's tests against the real embedded target (in this process, on 127.0.0.1:0).
#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h>

#include <atomic>
#include <string>
#include <thread>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "support/ports.h"
#include "target/server_fixture.h"

namespace arrload::monitor::testing_support {

// A full URL of the test target: "http://127.0.0.1:PORT" + PATH.
class MonitorTargetTest : public target::testing_support::TargetServerTest {
 protected:
  std::string url(const std::string& path) const { return base().to_string() + path; }
  void set_faults(const std::string& json) { call_json("PUT", "/__target/faults", json); }
};

// A loopback port nothing listens on: bound to find a free one, then closed.
inline unsigned short closed_port() { return test_ports::unused_loopback_port(); }

inline boost::asio::awaitable<void> drive_requests(http::Session* session,
                                                   const std::atomic<bool>* stop,
                                                   std::atomic<int>* sent) {
  boost::asio::steady_timer pause(co_await boost::asio::this_coro::executor);
  http::Request req;
  req.method = "GET";
  req.target = "/health";
  req.timeout_us = 2'000'000;
  http::Response out;
  while (!stop->load()) {
    co_await session->send(req, out);
    sent->fetch_add(1);
    pause.expires_after(std::chrono::milliseconds(5));
    co_await pause.async_wait(boost::asio::use_awaitable);
  }
}

// Sends GET /health to BASE every ~5 ms on its own thread (one keep-alive connection) until
// destroyed: the steady request flow the target's leak knob needs to grow.
class RequestFlow {
 public:
  explicit RequestFlow(const http::Url& base)
      : thread_([this, base] {
          boost::asio::io_context io;
          http::ClientContext ctx(io);
          http::Session session(ctx, base);
          boost::asio::co_spawn(io, drive_requests(&session, &stop_, &sent_),
                                boost::asio::detached);
          io.run();
        }) {}
  ~RequestFlow() {
    stop_ = true;
    thread_.join();
  }
  int sent() const { return sent_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> sent_{0};
  std::thread thread_;
};

}  // namespace arrload::monitor::testing_support
