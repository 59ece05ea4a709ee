#include "core/duration.h"

#include <gtest/gtest.h>

namespace arrload::core {
namespace {

using std::chrono::microseconds;

std::int64_t us(const char* text) { return parse_duration(text).value().count(); }

TEST(ParseDuration, AcceptsLocustForms) {
  EXPECT_EQ(us("90s"), 90'000'000);
  EXPECT_EQ(us("10m"), 600'000'000);
  EXPECT_EQ(us("1h30m"), 5'400'000'000);
  EXPECT_EQ(us("1h30m15s"), 5'415'000'000);
  EXPECT_EQ(us("500ms"), 500'000);
  EXPECT_EQ(us("2.5s"), 2'500'000);
  EXPECT_EQ(us("30"), 30'000'000);  // a bare number is seconds
  EXPECT_EQ(us(" 5s "), 5'000'000);
  EXPECT_EQ(us("0"), 0);
  EXPECT_EQ(us("1d"), 86'400'000'000);
}

TEST(ParseDuration, RejectsNonsense) {
  for (const char* bad : {"", "s", "5x", "-5s", "5s junk", "1h 30", "ten", "5 5", "1e400s"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
}

TEST(FormatDuration, IsCompact) {
  EXPECT_EQ(format_duration(microseconds(5'400'000'000)), "1h30m");
  EXPECT_EQ(format_duration(microseconds(90'000'000)), "1m30s");
  EXPECT_EQ(format_duration(microseconds(250'000)), "250ms");
  EXPECT_EQ(format_duration(microseconds(2'500'000)), "2.5s");
  EXPECT_EQ(format_duration(microseconds(0)), "0ms");
}

}  // namespace
}  // namespace arrload::core
