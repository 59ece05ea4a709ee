#pragma once
// Locust's cluster message: a MessagePack array [type, data, node_id], as Locust 2.x packs it
// (msgpack's defaults: str for text, bin for bytes; map keys of any type). See
// ../shared/locust-protocol.md and docs/distributed.md.
//
// Decoding faces the network: it never reads outside the given bytes, never recurses without
// bound, never allocates more than the input can justify, and reports garbage as an error.
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "cluster/value.h"

namespace arrload::cluster {

struct Message {
  std::string type;     // "client_ready", "spawn", "stats", ...
  Value data;           // nil for messages without data
  std::string node_id;  // the worker's id ("<hostname>_<32 hex>"), both directions
  bool operator==(const Message&) const = default;
};

// Values nested deeper than this are refused (Locust's messages nest 4 deep).
inline constexpr int kMaxDepth = 32;

// Appends V's MessagePack encoding to OUT.
void encode_value(const Value& v, std::string& out);
// The bytes of M, ready for one ZeroMQ frame.
std::string encode(const Message& m);

// One MessagePack value decoded from exactly BYTES (nothing may follow it). On failure: nullopt
// and ERROR says what is wrong and at which byte. SKIP_DATA_KEYS: see decode().
std::optional<Value> decode_value(std::string_view bytes, std::string& error,
                                  std::span<const std::string_view> skip_data_keys = {});
// A message decoded from one frame. On failure: nullopt and ERROR says why (not MessagePack,
// truncated, not a 3-element array, a type that is not a string, ...). Values under
// SKIP_DATA_KEYS in the data map are checked but not built (they come out nil): a master reads
// an arrload worker's exact samples without building the Locust fields beside them.
std::optional<Message> decode(std::string_view bytes, std::string& error,
                              std::span<const std::string_view> skip_data_keys = {});

}  // namespace arrload::cluster
