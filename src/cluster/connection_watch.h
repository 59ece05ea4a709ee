#pragma once
// Whether a ZeroMQ socket's connection to its peer is up, from ZeroMQ's socket monitor (the
// socket itself reconnects on its own and never says). Used by the worker to notice a master
// that went away. Not thread-safe: the socket's own thread polls it.
#include <string>

#include <zmq.hpp>

namespace arrload::cluster {

class ConnectionWatch {
 public:
  enum class Change {
    kNone,
    kUp,    // a ZMTP handshake with the peer succeeded
    kDown,  // the connection closed (the peer went away, or stopped answering heartbeats)
  };

  // Watches SOCKET, which must not have connected yet (or its first connection is missed).
  // CONTEXT and SOCKET must outlive this object.
  ConnectionWatch(zmq::context_t& context, zmq::socket_t& socket);
  ~ConnectionWatch();
  ConnectionWatch(const ConnectionWatch&) = delete;
  ConnectionWatch& operator=(const ConnectionWatch&) = delete;

  // Reads the events that arrived, without waiting; the last change among them (kNone: none).
  Change poll();

 private:
  zmq::socket_t& socket_;
  zmq::socket_t events_;  // PAIR, connected to the monitor's inproc endpoint
};

}  // namespace arrload::cluster
