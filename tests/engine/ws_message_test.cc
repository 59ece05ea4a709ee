#include "engine/ws_message.h"

#include <gtest/gtest.h>

namespace arrload::engine {
namespace {

constexpr std::int64_t kStamp = 1795767359123456;  // 2026-11-27T08:15:59.123456Z

TEST(ParseIso8601, UtcForms) {
  EXPECT_EQ(parse_iso8601_us("2026-11-27T08:15:59.123456Z"), kStamp);
  EXPECT_EQ(parse_iso8601_us("2026-11-27T08:15:59.123456+00:00"), kStamp);
  EXPECT_EQ(parse_iso8601_us("2026-11-27T08:15:59.123456"), kStamp);
  EXPECT_EQ(parse_iso8601_us("2026-11-27 08:15:59.123456"), kStamp);
  EXPECT_EQ(parse_iso8601_us("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_iso8601_us("2000-02-29T00:00:01Z"), 951782401000000);
}

TEST(ParseIso8601, FractionsAndOffsets) {
  EXPECT_EQ(parse_iso8601_us("2026-11-27T08:15:59Z"), kStamp - 123456);
  EXPECT_EQ(parse_iso8601_us("2026-11-27T08:15:59.5Z"), kStamp - 123456 + 500000);
  EXPECT_EQ(parse_iso8601_us("2026-11-27T08:15:59.123456789Z"), kStamp);
  EXPECT_EQ(parse_iso8601_us("2026-11-27T10:15:59.123456+02:00"), kStamp);
  EXPECT_EQ(parse_iso8601_us("2026-11-27T03:15:59.123456-05:00"), kStamp);
}

TEST(ParseIso8601, RejectsOtherText) {
  for (const char* bad : {"", "now", "2026-11-27", "2026-11-27T08:15", "2026-13-01T00:00:00Z",
                          "2026-11-27T08:15:59.Z", "2026-11-27T08:15:59Zjunk",
                          "2026-11-27T08:15:59+0200", "1795767359"}) {
    EXPECT_FALSE(parse_iso8601_us(bad).has_value()) << bad;
  }
}

TEST(DeliveryLatency, ClampedToZeroAndSixtySeconds) {
  EXPECT_EQ(delivery_latency_us(kStamp, kStamp + 1500), 1500);
  EXPECT_EQ(delivery_latency_us(kStamp, kStamp - 1500), 0);  // clocks a little apart
  EXPECT_EQ(delivery_latency_us(kStamp, kStamp + 3'600'000'000), 60'000'000);
  EXPECT_EQ(delivery_latency_us(std::nullopt, kStamp), 0);
}

TEST(InspectWsMessage, TypesEventsAndStamps) {
  auto e =
      inspect_ws_message(R"({"type":"event","event_type":"download_started","correlation_id":null,)"
                         R"("timestamp":"2026-11-27T08:15:59.123456Z","data":{}})");
  EXPECT_TRUE(e.json);
  EXPECT_EQ(e.type, "event");
  EXPECT_EQ(e.event_type, "download_started");
  EXPECT_EQ(e.timestamp_us, kStamp);

  auto log = inspect_ws_message(R"({"type":"log","timestamp":"yesterday"})");
  EXPECT_EQ(log.type, "log");
  EXPECT_FALSE(log.timestamp_us.has_value());

  EXPECT_FALSE(inspect_ws_message("plain text").json);
  EXPECT_FALSE(inspect_ws_message("{broken").json);
  EXPECT_EQ(inspect_ws_message(R"({"type":7})").type, "");
}

TEST(WsMessageName, ByTypeAndEventType) {
  std::string name;
  ws_message_name("/api/v1/ws", inspect_ws_message(R"({"type":"event","event_type":"x"})"), name);
  EXPECT_EQ(name, "/api/v1/ws event:x");
  ws_message_name("/api/v1/ws", inspect_ws_message(R"({"type":"event"})"), name);
  EXPECT_EQ(name, "/api/v1/ws event");
  ws_message_name("/api/v1/logs/stream", inspect_ws_message(R"({"type":"ping"})"), name);
  EXPECT_EQ(name, "/api/v1/logs/stream ping");
  ws_message_name("/s", inspect_ws_message("hello"), name);
  EXPECT_EQ(name, "/s message");
}

}  // namespace
}  // namespace arrload::engine
