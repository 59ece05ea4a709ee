#include "cluster/connection_watch.h"

#include <atomic>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

namespace arrload::cluster {

namespace {

std::string next_monitor_endpoint() {
  static std::atomic<int> counter{0};
  return fmt::format("inproc://arrload-connection-watch-{}", counter++);
}

}  // namespace

ConnectionWatch::ConnectionWatch(zmq::context_t& context, zmq::socket_t& socket)
    : socket_(socket), events_(context, zmq::socket_type::pair) {
  const std::string endpoint = next_monitor_endpoint();
  if (zmq_socket_monitor(socket_.handle(), endpoint.c_str(),
                         ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED) != 0) {
    throw zmq::error_t();
  }
  events_.set(zmq::sockopt::linger, 0);
  events_.connect(endpoint);
}

ConnectionWatch::~ConnectionWatch() {
  // Stops the monitor before its PAIR socket goes.
  zmq_socket_monitor(socket_.handle(), nullptr, 0);
}

ConnectionWatch::Change ConnectionWatch::poll() {
  Change last = Change::kNone;
  while (true) {
    // An event is two frames: 2 bytes of event id and 4 of value, then the peer's address.
    zmq::message_t head, address;
    std::optional<std::size_t> got;
    try {
      got = events_.recv(head, zmq::recv_flags::dontwait);
      if (got && head.more()) got = events_.recv(address, zmq::recv_flags::dontwait);
    } catch (const zmq::error_t&) {
      return last;  // EINTR or a closing context: the next poll tries again
    }
    if (!got) return last;
    if (head.size() < sizeof(std::uint16_t)) continue;
    std::uint16_t event = 0;
    std::memcpy(&event, head.data(), sizeof event);
    if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) last = Change::kUp;
    if (event == ZMQ_EVENT_DISCONNECTED) last = Change::kDown;
  }
}

}  // namespace arrload::cluster
