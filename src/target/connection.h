#pragma once
// One HTTP/1.1 connection of the target server: read requests, route them, wait the modelled
// latency, write responses, until the client closes. Internal to target/.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "target/db_worker.h"
#include "target/faults.h"
#include "target/log_buffer.h"
#include "target/router.h"
#include "target/routes.h"
#include "target/ws_hub.h"

namespace arrload::target {

// What every connection shares. Outlives all connections.
struct ConnectionContext {
  const Router& router;
  Counters& counters;
  DbWorker* db;              // runs the responses' db_jobs; set by Server::start()
  LogBuffer& logs;           // gets two lines per AutoArr request
  Faults& faults;            // resets, added latency, stalls, the leak
  double latency_scale;      // Options::latency_scale
  bool quiet;                // Options::quiet
  Hub& events;               // the clients of /api/v1/ws
  LogStreamHub& log_stream;  // the clients of /api/v1/logs/stream
  double header_timeout_s;   // Options::header_timeout_seconds
  double ws_ping_s;          // Options::ws_ping_seconds
};

// Serves SOCKET until the peer closes it, an error, or a request asks for the close. Request
// bodies over 1 MiB get 413, unparseable requests 400; both close the connection. A request
// whose header block is not complete HEADER_TIMEOUT_S after its first byte arrived is cut off
// (the connection closed without an answer). A WebSocket upgrade to one of the WebSocket paths
// hands the connection to ws_session.h; to any other path, 404.
boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket,
                                              const ConnectionContext* ctx);

}  // namespace arrload::target
