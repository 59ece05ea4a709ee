#include "target/log_buffer.h"

#include <gtest/gtest.h>

namespace arrload::target {
namespace {

LogEntry entry(int i, std::string level = "INFO") {
  return LogEntry{"t", std::move(level), "test", "message " + std::to_string(i), "id"};
}

TEST(LogBuffer, KeepsTheNewestThousandNewestFirst) {
  LogBuffer logs;
  for (int i = 0; i < 1500; ++i) logs.add(entry(i));
  EXPECT_EQ(logs.size(), LogBuffer::kCapacity);
  std::vector<LogEntry> recent = logs.recent(5000, std::nullopt, std::nullopt);
  ASSERT_EQ(recent.size(), 1000u);
  EXPECT_EQ(recent.front().message, "message 1499");
  EXPECT_EQ(recent.back().message, "message 500");
  EXPECT_EQ(logs.recent(3, std::nullopt, std::nullopt).size(), 3u);
}

TEST(LogBuffer, FiltersByLevelAndText) {
  LogBuffer logs;
  logs.add(entry(1));
  logs.add(entry(2, "ERROR"));
  logs.add(entry(12, "WARNING"));
  EXPECT_EQ(logs.recent(10, "error", std::nullopt).size(), 1u);
  EXPECT_EQ(logs.recent(10, std::nullopt, "MESSAGE 1").size(), 2u);
  EXPECT_EQ(logs.recent(10, "info", "2").size(), 0u);
}

}  // namespace
}  // namespace arrload::target
