#include "net/listener.h"

#include <chrono>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace arrload::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

error_code listen(tcp::acceptor& acceptor, const tcp::endpoint& endpoint) {
  error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  return ec;
}

asio::awaitable<void> accept_loop(tcp::acceptor* acceptor, std::vector<asio::io_context*> ios,
                                  Serve serve, OnAcceptError on_error) {
  constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
  std::size_t next = 0;
  for (;;) {
    asio::io_context& io = *ios[next++ % ios.size()];
    auto [ec, socket] = co_await acceptor->async_accept(io, kNoThrow);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {
      if (on_error) on_error(ec);
      asio::steady_timer pause(acceptor->get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(kNoThrow);
      continue;
    }
    asio::co_spawn(io, serve(std::move(socket)), asio::detached);
  }
}

}  // namespace arrload::net
