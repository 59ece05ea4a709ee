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

namespace arrload::target {

// What every connection shares. Outlives all connections.
struct ConnectionContext {
  const Router& router;
  Counters& counters;
  DbWorker* db;          // runs the responses' db_jobs; set by Server::start()
  LogBuffer& logs;       // gets two lines per AutoArr request
  Faults& faults;        // resets, added latency, stalls, the leak
  double latency_scale;  // Options::latency_scale
  bool quiet;            // Options::quiet
};

// Serves SOCKET until the peer closes it, an error, or a request asks for the close. Request
// bodies over 1 MiB get 413, unparseable requests 400; both close the connection.
boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket,
                                              const ConnectionContext* ctx);

}  // namespace arrload::target
