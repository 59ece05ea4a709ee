// Locust's cluster message decoder (src/cluster/message.h): the bytes of one ZeroMQ frame from a
// peer, decoded as the master decodes them (lean, then in full) and as a worker does. A message
// that decodes must encode to bytes that decode to the same message. A "stats" message then goes
// where the master sends a Locust worker's report: import_locust_stats, into an Aggregator.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "cluster/locust_import.h"
#include "cluster/message.h"
#include "stats/aggregator.h"

namespace {

using arrload::cluster::Message;

void check_round_trip(const Message& m) {
  const std::string once = arrload::cluster::encode(m);
  std::string error;
  const std::optional<Message> again = arrload::cluster::decode(once, error);
  if (!again || arrload::cluster::encode(*again) != once) std::abort();
}

// As the master's handling of a Locust worker's stats report does.
void import_stats(const Message& m) {
  if (m.type != "stats") return;
  arrload::cluster::ImportedStats imported = arrload::cluster::import_locust_stats(m.data, 1.7e9);
  arrload::stats::Aggregator aggregator(0, 1.7e9);
  if (!imported.delta.empty()) aggregator.absorb(std::move(imported.delta));
  aggregator.tick();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  static constexpr std::string_view kLocustFields[] = {"stats", "stats_total", "errors"};
  std::string error;
  if (std::optional<Message> lean = arrload::cluster::decode(bytes, error, kLocustFields)) {
    check_round_trip(*lean);
  } else if (error.empty()) {
    std::abort();  // a refusal must say why
  }
  error.clear();
  if (std::optional<Message> full = arrload::cluster::decode(bytes, error)) {
    check_round_trip(*full);
    import_stats(*full);
  } else if (error.empty()) {
    std::abort();
  }
  return 0;
}
