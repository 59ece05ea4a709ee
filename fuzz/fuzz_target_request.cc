// The embedded target's request handling without sockets: the bytes a client sends, read with
// the connection's parser and limits (src/target/request_view.h), routed by the real route table
// (make_router), the database jobs run on an in-memory SQLite database seeded as `arrload
// target` seeds its own, and each response turned into its message. Requests are read one after
// another while the connection stays keep-alive, as serve_connection does; an unreadable one gets
// its 400/413/431 and ends the connection.
//
// Not reached: the socket loop itself (timeouts, lingering, resets; connection.cc) and the
// WebSocket endpoints (an upgrade is answered 404 here, handed to ws_session.cc there).
// Between inputs the fault knobs are cleared, and the database is made afresh every 2,000
// inputs so that what the requests write does not grow without bound.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/serializer.hpp>

#include "target/audit_store.h"
#include "target/database.h"
#include "target/downloads.h"
#include "target/faults.h"
#include "target/library.h"
#include "target/log_buffer.h"
#include "target/request_view.h"
#include "target/routes.h"
#include "target/seed_data.h"
#include "target/ws_hub.h"

namespace {

using namespace arrload::target;
using Clock = std::chrono::steady_clock;
constexpr std::uint64_t kSeed = 42;

struct Target {
  Target()
      : library(kSeed),
        audits(kSeed),
        faults(FaultConfig{}),
        downloads(library, kSeed, 15, Clock::now(), 1'700'000'000),
        state{library, audits, logs, counters, faults, events, downloads},
        router(make_router(state)) {
    seed_audit(audits, iso_now());
  }

  void fresh_database() {
    database = std::make_unique<Database>(":memory:", kSeed);
    seed_activity(*database, library, kSeed);
  }

  Hub events;
  Library library;
  AuditStore audits;
  LogBuffer logs;
  Counters counters;
  Faults faults;
  DownloadQueue downloads;
  TargetState state;
  Router router;
  std::unique_ptr<Database> database;
  int inputs = 0;
};

// Writes MSG as the connection would, to check it serializes; the bytes are dropped.
void serialize(ResponseMessage& msg) {
  boost::beast::http::serializer<false, boost::beast::http::string_body> sr(msg);
  boost::beast::error_code ec;
  while (!sr.is_done() && !ec) {
    sr.next(ec, [&sr](boost::beast::error_code&, const auto& buffers) {
      sr.consume(boost::asio::buffer_size(buffers));
    });
  }
}

// Reads and answers one request at WIRE[*POS...]; false when the connection would end.
bool serve_one(Target& t, std::string_view wire, std::size_t* pos) {
  RequestParser parser;
  limit_request(parser);
  boost::beast::error_code ec;
  while (!parser.is_done() && !ec && *pos < wire.size()) {
    *pos += parser.put(boost::asio::buffer(wire.data() + *pos, wire.size() - *pos), ec);
  }
  if (!parser.is_done() && (!ec || ec == boost::beast::http::error::need_more)) {
    if (!parser.got_some()) return false;  // the client closed between requests
    ec = {};
    parser.put_eof(ec);  // the client closed mid-request
  }
  if (ec) {
    ResponseMessage msg = make_message(rejection(ec), Request{}, "fuzz", false, Clock::now());
    serialize(msg);
    return false;
  }
  const Clock::time_point start = Clock::now();
  Request view = make_view(parser.get(), "127.0.0.1");
  Response res =
      is_websocket_upgrade(view) ? error_response(404, "Not Found") : t.router.dispatch(view);
  if (res.drop_connection) return false;
  if (res.db_job) {
    Response done = run_db_job(res.db_job, *t.database);
    res.status = done.status;
    res.body = std::move(done.body);
    res.headers = std::move(done.headers);
  }
  if (res.on_ready) res.on_ready();
  const bool keep_alive = parser.get().keep_alive();
  ResponseMessage msg = make_message(std::move(res), view, "fuzz", keep_alive, start);
  serialize(msg);
  return keep_alive;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Target* target = new Target();  // lives for the whole run
  if (target->inputs++ % 2000 == 0) target->fresh_database();
  const std::string_view wire(reinterpret_cast<const char*>(data), size);
  std::size_t pos = 0;
  for (int requests = 0; requests < 16 && pos < wire.size(); ++requests) {
    if (!serve_one(*target, wire, &pos)) break;
  }
  target->faults.clear();
  return 0;
}
