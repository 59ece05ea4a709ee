#pragma once
// Listening and accepting, shared by the servers (web::Server, target::Server). Asio types;
// include only from .cc files that already use Asio.
#include <functional>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace arrload::net {

// Opens ACCEPTOR, binds it to ENDPOINT (with SO_REUSEADDR) and listens. On failure returns the
// error, leaving ACCEPTOR as far as it got (the caller closes or drops it).
boost::system::error_code listen(boost::asio::ip::tcp::acceptor& acceptor,
                                 const boost::asio::ip::tcp::endpoint& endpoint);

// Runs SERVE(socket) as a new coroutine on its own io_context.
using Serve = std::function<boost::asio::awaitable<void>(boost::asio::ip::tcp::socket)>;
// Told about an accept error (out of file descriptors, typically); may be empty.
using OnAcceptError = std::function<void(const boost::system::error_code&)>;

// Accepts connections on *ACCEPTOR and hands each to SERVE, dealing them round-robin over IOS
// (each accepted socket belongs to its io_context), until the acceptor is closed. After another
// error it calls ON_ERROR and waits 50 ms rather than spin. Run it on the acceptor's io_context.
// REQUIRES: IOS not empty; *ACCEPTOR and every io_context outlive the coroutine.
boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor* acceptor,
                                         std::vector<boost::asio::io_context*> ios, Serve serve,
                                         OnAcceptError on_error);

}  // namespace arrload::net
