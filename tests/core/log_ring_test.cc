#include "core/log_ring.h"

#include <gtest/gtest.h>

namespace arrload::core {
namespace {

TEST(LogRing, KeepsTheNewestLinesInOrder) {
  LogRing ring(3);
  EXPECT_TRUE(ring.lines().empty());
  for (const char* line : {"a", "b", "c", "d", "e"}) ring.add(line);
  EXPECT_EQ(ring.lines(), (std::vector<std::string>{"c", "d", "e"}));
}

}  // namespace
}  // namespace arrload::core
