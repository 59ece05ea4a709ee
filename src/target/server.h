#pragma once
// The embedded AutoArr target: an HTTP/1.1 server answering the AutoArr API routes the suite
// uses (see docs/target.md and routes.h) from a seeded fake library, with a per-route latency
// model. Beast stays inside server.cc.
#include <cstdint>
#include <memory>
#include <string>

#include "target/faults.h"

namespace arrload::target {

struct Options {
  std::string bind = "127.0.0.1";  // address (or name) to listen on
  unsigned short port = 8088;      // 0 = any free port; see Server::port()
  int threads = 1;                 // server threads, each with its own io_context; < 1 means 1
  double latency_scale = 1.0;      // multiplies every route's modelled cost; 0 = answer at once
  std::uint64_t seed = 42;         // seed of the generated library and ids
  bool quiet = true;               // false: report rejected requests and accept errors on stderr
  // SQLite database file: "" = a temporary file removed when the server is destroyed;
  // ":memory:" = in memory; else a file, created if missing and kept (with its data).
  std::string db_path;
  FaultConfig faults;  // fault injection from the start (all off by default); see faults.h
  // Serve the admin endpoint /__target/faults, which changes the faults at run time (404 when
  // false). The start-up knobs above work without it. `arrload target --admin`.
  bool admin = false;
  // Seconds each download of the SABnzbd queue takes (x uniform(0.75, 1.25)) once it is first in
  // the queue: a download_completed/failed and a download_started event every ~15 s by default.
  // <= 0 freezes the queue.
  double download_seconds = 15;
  // Seconds a request's header block may take once its first byte has arrived; then the
  // connection is closed (slowloris). Waiting for the first byte has no limit.
  double header_timeout_seconds = 10;
  // The logs stream sends {"type":"ping"} after this many seconds without sending; <= 0: never.
  double ws_ping_seconds = 30;
};

class Server {
 public:
  explicit Server(Options options);
  ~Server();  // stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Opens the database, binds, listens and starts the threads. Throws std::runtime_error with a
  // clear message if the address cannot be used (in use, not local, not an address) or the
  // database cannot be opened, or Options::faults holds a bad value. Call once.
  void start();
  // The bound port (the ephemeral one when Options::port was 0). REQUIRES: start() succeeded.
  unsigned short port() const;
  // Closes the listener and every connection (in-flight requests are dropped; WebSocket clients
  // first get a close frame, 1001 going away, and up to 1 s to answer it) and joins the
  // threads. Idempotent. Call from outside the server's threads.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Runs a server in the foreground until SIGINT/SIGTERM; prints
// "arrload target listening on http://127.0.0.1:PORT"; returns the exit code (1 if start fails).
int run_target(const Options& options);

}  // namespace arrload::target
