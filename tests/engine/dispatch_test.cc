#include "engine/dispatch.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

namespace arrload::engine {
namespace {

std::string sequence(const ClassDispatcher& d, const std::vector<ClassWeight>& classes, int n) {
  std::string out;
  for (int i : d.first(static_cast<std::size_t>(n)))
    out += classes[static_cast<std::size_t>(i)].name;
  return out;
}

TEST(ClassDispatcher, InterleavesLikeLocust) {
  std::vector<ClassWeight> classes = {{"A", 5}, {"B", 1}};
  ClassDispatcher d(classes);
  EXPECT_EQ(sequence(d, classes, 12), "AAABAAAAABAA");
}

TEST(ClassDispatcher, SeedWeightsGiveExactCountsAtOneHundredUsers) {
  std::vector<ClassWeight> classes = {{"HealthCheckUser", 40},   {"MonitoringUser", 30},
                                      {"BrowsingUser", 20},      {"ConfigurationAuditUser", 5},
                                      {"ContentRequestUser", 3}, {"AdminUser", 2}};
  ClassDispatcher d(classes);
  std::map<int, int> counts;
  for (int c : d.first(100)) ++counts[c];
  EXPECT_EQ(counts[0], 40);
  EXPECT_EQ(counts[1], 30);
  EXPECT_EQ(counts[2], 20);
  EXPECT_EQ(counts[3], 5);
  EXPECT_EQ(counts[4], 3);
  EXPECT_EQ(counts[5], 2);
}

TEST(ClassDispatcher, IsAPrefixSoRampDownKeepsTheMix) {
  std::vector<ClassWeight> classes = {{"A", 3}, {"B", 2}, {"C", 1}};
  ClassDispatcher d(classes);
  auto sixty = d.first(60);
  auto thirty = d.first(30);
  ASSERT_EQ(thirty.size(), 30u);
  EXPECT_TRUE(std::equal(thirty.begin(), thirty.end(), sixty.begin()));
  std::map<int, int> counts;
  for (int c : thirty) ++counts[c];
  EXPECT_EQ(counts[0], 15);
  EXPECT_EQ(counts[1], 10);
  EXPECT_EQ(counts[2], 5);
}

TEST(ClassDispatcher, FixedCountClassesFillFirstAndStop) {
  std::vector<ClassWeight> classes = {{"Admin", 1, 2}, {"Browse", 1}, {"Health", 3}};
  ClassDispatcher d(classes);
  auto first = d.first(10);
  std::map<int, int> counts;
  for (int c : first) ++counts[c];
  EXPECT_EQ(first[0], 0);
  EXPECT_EQ(first[1], 0);
  EXPECT_EQ(counts[0], 2);  // never more than its fixed count
  EXPECT_EQ(counts[1] + counts[2], 8);
  EXPECT_EQ(counts[2], 6);
}

TEST(ClassDispatcher, ZeroWeightClassesNeverSpawn) {
  std::vector<ClassWeight> classes = {{"Off", 0}, {"On", 1}};
  ClassDispatcher d(classes);
  for (int c : d.first(20)) EXPECT_EQ(c, 1);
  ClassDispatcher none({{"Off", 0}});
  EXPECT_EQ(none.class_of(0), -1);
  EXPECT_TRUE(none.first(5).empty());
}

}  // namespace
}  // namespace arrload::engine
