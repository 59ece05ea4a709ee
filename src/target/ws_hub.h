#pragma once
// Fan-out of WebSocket messages (docs/target.md, "WebSocket endpoints"): a Hub holds the clients
// of one endpoint and hands each published message to every one of them. Clients live on the
// server's I/O threads; a Hub only calls WsClient::deliver, which posts to the client's own
// executor, so publishing never waits for a client and never touches its socket. No Beast here.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "target/log_buffer.h"

namespace arrload::target {

// One message for the clients of a hub, shared (immutable) between them.
struct WsMessage {
  std::string text;  // the JSON frame
  // For log entries (the logs stream filters them): the level's rank (log_level_rank), the
  // message, and the entry's sequence number in the LogBuffer; 0/""/0 otherwise.
  int level_rank = 0;
  std::string log_message;
  std::uint64_t log_seq = 0;
};

// A connected client, as a hub sees it. Implemented in ws_session.cc.
class WsClient {
 public:
  virtual ~WsClient() = default;
  // Queues MESSAGE for sending. Called from any thread; must not block or call back into a Hub.
  virtual void deliver(std::shared_ptr<const WsMessage> message) = 0;
  // Asks the client to close with "going away" (1001). Any thread; must not block.
  virtual void close_going_away() = 0;
};

class Hub {
 public:
  // Adds CLIENT; false (and nothing added) once close_all() was called. Any thread.
  bool add(const std::shared_ptr<WsClient>& client);
  // Removes CLIENT (a no-op when absent). Any thread; never from inside WsClient::deliver.
  void remove(const WsClient* client);
  // Hands MESSAGE to every client. Any thread.
  void publish(std::shared_ptr<const WsMessage> message);
  // Whether any client is connected (one atomic load: cheap enough for every log line).
  bool has_clients() const { return count_.load(std::memory_order_relaxed) > 0; }
  std::size_t size() const { return count_.load(std::memory_order_relaxed); }
  // Asks every client to close and refuses new ones (server stop).
  void close_all();

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<const WsClient*, std::weak_ptr<WsClient>>> clients_;  // guarded by mu_
  bool closed_ = false;                                                       // guarded by mu_
  std::atomic<std::size_t> count_{0};
};

// The clients of /api/v1/logs/stream, fed by the LogBuffer it is the sink of.
class LogStreamHub : public LogBuffer::Sink {
 public:
  bool wanted() const override { return clients.has_clients(); }
  void on_entry(const LogEntry& entry, std::uint64_t seq) override;

  Hub clients;
};

// A log entry as the logs stream sends it: the fields of a GET /api/v1/logs entry plus
// "type":"log".
std::shared_ptr<const WsMessage> make_log_message(const LogEntry& entry, std::uint64_t seq);

// An event of /api/v1/ws, as AutoArr broadcasts it:
// {"type":"event","event_type":TYPE,"correlation_id":ID,"timestamp":NOW,"data":DATA,
//  "metadata":{"source":SOURCE}}, timestamp from event_timestamp(). An empty
// CORRELATION_ID is sent as null.
std::shared_ptr<const WsMessage> make_event(std::string_view type, std::string_view correlation_id,
                                            boost::json::object data, std::string_view source);

// The current UTC time for event timestamps: "2026-11-27T08:15:59.123456Z" (always six
// fractional digits and a Z: Python's isoformat of a UTC datetime, with Z for +00:00).
std::string event_timestamp();

// The rank of a Python logging level name (case-insensitive): DEBUG 10, INFO 20, WARNING 30
// (or WARN), ERROR 40, CRITICAL 50; 0 for anything else.
int log_level_rank(std::string_view level);

}  // namespace arrload::target
