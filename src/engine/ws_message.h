#pragma once
// What the engine reads from a WebSocket message to name and time it: the JSON "type" (and
// "event_type" for events) and the "timestamp" the server stamped it with.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace arrload::engine {

struct WsMessageInfo {
  bool json = false;       // a JSON object
  std::string type;        // its string "type" member; "" when absent or not a string
  std::string event_type;  // its string "event_type" member; ""
  std::optional<std::int64_t> timestamp_us;  // "timestamp" as Unix µs, when it parses
};

// Reads TEXT's type, event_type and timestamp. Never throws.
WsMessageInfo inspect_ws_message(std::string_view text);

// An ISO-8601 date-time as Unix microseconds: "2026-11-27T08:15:59.123456Z", with "Z",
// "+HH:MM"/"-HH:MM" or no offset (taken as UTC); a space may replace the "T"; up to 9
// fractional digits (beyond 6 dropped). nullopt when TEXT is not such a date-time.
std::optional<std::int64_t> parse_iso8601_us(std::string_view text);

// The delivery delay of a message stamped STAMP_US (Unix µs) that arrived at NOW_US (Unix µs):
// NOW_US - STAMP_US clamped to [0, 60 s]; 0 without a stamp.
core::Micros delivery_latency_us(std::optional<std::int64_t> stamp_us, std::int64_t now_us);

// The stats name of a message that nobody awaited, on the connection named BASE:
// "BASE TYPE", "BASE event:EVENT_TYPE" for events, "BASE message" without a type. Into OUT.
void ws_message_name(std::string_view base, const WsMessageInfo& info, std::string& out);

// Wall-clock time as Unix microseconds.
std::int64_t wall_unix_us();

}  // namespace arrload::engine
