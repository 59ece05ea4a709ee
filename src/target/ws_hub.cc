#include "target/ws_hub.h"

#include <algorithm>

#include "core/strings.h"
#include "target/routes.h"

namespace arrload::target {

bool Hub::add(const std::shared_ptr<WsClient>& client) {
  std::lock_guard lock(mu_);
  if (closed_) return false;
  clients_.emplace_back(client.get(), client);
  count_.store(clients_.size(), std::memory_order_relaxed);
  return true;
}

void Hub::remove(const WsClient* client) {
  std::lock_guard lock(mu_);
  std::erase_if(clients_, [client](const auto& entry) { return entry.first == client; });
  count_.store(clients_.size(), std::memory_order_relaxed);
}

// Delivering under the lock is safe because deliver only posts; the shared_ptr locked here is
// never the last one (the client's session holds its own until after remove()), so no client
// is destroyed, and no remove() re-entered, while the lock is held.
void Hub::publish(std::shared_ptr<const WsMessage> message) {
  std::lock_guard lock(mu_);
  for (const auto& [raw, weak] : clients_) {
    if (std::shared_ptr<WsClient> client = weak.lock()) client->deliver(message);
  }
}

void Hub::close_all() {
  std::lock_guard lock(mu_);
  closed_ = true;
  for (const auto& [raw, weak] : clients_) {
    if (std::shared_ptr<WsClient> client = weak.lock()) client->close_going_away();
  }
}

void LogStreamHub::on_entry(const LogEntry& entry, std::uint64_t seq) {
  clients.publish(make_log_message(entry, seq));
}

std::shared_ptr<const WsMessage> make_log_message(const LogEntry& entry, std::uint64_t seq) {
  auto message = std::make_shared<WsMessage>();
  message->text = to_json(boost::json::object{{"type", "log"},
                                              {"timestamp", entry.timestamp},
                                              {"level", entry.level},
                                              {"logger_name", entry.logger_name},
                                              {"message", entry.message},
                                              {"request_id", entry.request_id}});
  message->level_rank = log_level_rank(entry.level);
  message->log_message = entry.message;
  message->log_seq = seq;
  return message;
}

std::shared_ptr<const WsMessage> make_event(std::string_view type, std::string_view correlation_id,
                                            boost::json::object data, std::string_view source) {
  boost::json::object event{
      {"type", "event"},
      {"event_type", type},
      {"correlation_id",
       correlation_id.empty() ? boost::json::value(nullptr) : boost::json::value(correlation_id)},
      {"timestamp", event_timestamp()},
      {"data", std::move(data)},
      {"metadata", boost::json::object{{"source", source}}}};
  auto message = std::make_shared<WsMessage>();
  message->text = to_json(event);
  return message;
}

std::string event_timestamp() { return iso_now() + "Z"; }

int log_level_rank(std::string_view level) {
  const std::string name = core::to_lower(level);
  if (name == "debug") return 10;
  if (name == "info") return 20;
  if (name == "warning" || name == "warn") return 30;
  if (name == "error") return 40;
  if (name == "critical") return 50;
  return 0;
}

}  // namespace arrload::target
