#include "core/size.h"

#include <gtest/gtest.h>

namespace arrload::core {
namespace {

TEST(ParseSize, UnitsInPowersOfTenAndTwo) {
  EXPECT_EQ(parse_size("0"), 0u);
  EXPECT_EQ(parse_size("1500"), 1500u);
  EXPECT_EQ(parse_size("1500B"), 1500u);
  EXPECT_EQ(parse_size("500KB"), 500'000u);
  EXPECT_EQ(parse_size("64MiB"), 64u << 20);
  EXPECT_EQ(parse_size("64 mib"), 64u << 20);
  EXPECT_EQ(parse_size("64M"), 64u << 20);
  EXPECT_EQ(parse_size("2GB"), 2'000'000'000u);
  EXPECT_EQ(parse_size("1GiB"), 1u << 30);
}

TEST(ParseSize, RejectsWhatIsNotASize) {
  for (const char* bad :
       {"", "MiB", "-1", "1.5MiB", "12 parsecs", "1MiBs", " 1", "99999999999GiB"}) {
    EXPECT_FALSE(parse_size(bad)) << bad;
  }
}

}  // namespace
}  // namespace arrload::core
