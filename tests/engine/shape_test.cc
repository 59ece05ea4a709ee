#include "engine/shape.h"

#include <gtest/gtest.h>

namespace arrload::engine {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

scenario::Shape three_stages() {
  scenario::Shape s;
  s.name = "t";
  s.stages.push_back({seconds(10), 5, 1, {}, {}});
  s.stages.push_back({seconds(20), 50, 10, {"B"}, {}});
  s.stages.push_back({seconds(5), 5, 2, {}, {}});
  return s;
}

TEST(Shape, StageAtCoversHalfOpenIntervals) {
  scenario::Shape s = three_stages();
  EXPECT_EQ(stage_at(s, seconds(0)), 0u);
  EXPECT_EQ(stage_at(s, milliseconds(9999)), 0u);
  EXPECT_EQ(stage_at(s, seconds(10)), 1u);
  EXPECT_EQ(stage_at(s, milliseconds(29'999)), 1u);
  EXPECT_EQ(stage_at(s, seconds(30)), 2u);
  EXPECT_EQ(stage_at(s, milliseconds(34'999)), 2u);
  EXPECT_EQ(stage_at(s, seconds(35)), std::nullopt);
  EXPECT_EQ(stage_at(scenario::Shape{}, seconds(0)), std::nullopt);
}

TEST(Shape, ScaleCompressesTimeAndSpeedsUpRamps) {
  scenario::Shape s = scale_shape(three_stages(), 0.05);
  EXPECT_EQ(s.stages[0].duration, milliseconds(500));
  EXPECT_EQ(s.stages[1].duration, seconds(1));
  EXPECT_DOUBLE_EQ(s.stages[0].spawn_rate, 20);
  EXPECT_DOUBLE_EQ(s.stages[1].spawn_rate, 200);
  EXPECT_EQ(s.stages[1].users, 50);  // user counts are not scaled
  EXPECT_EQ(s.stages[1].classes, std::vector<std::string>{"B"});
  EXPECT_EQ(s.total(), milliseconds(1750));
  // Durations never reach zero, so every stage still happens.
  EXPECT_EQ(scale_shape(three_stages(), 1e-9).stages[2].duration, milliseconds(1));
}

}  // namespace
}  // namespace arrload::engine
