#include "scenario/model.h"

#include <gtest/gtest.h>

namespace arrload::scenario {
namespace {

TEST(WaitTime, Math) {
  using K = WaitTime::Kind;
  EXPECT_DOUBLE_EQ((WaitTime{K::kNone, 0, 0}).seconds_after(1, 0.5), 0);
  EXPECT_DOUBLE_EQ((WaitTime{K::kBetween, 2, 5}).seconds_after(1, 0), 2);
  EXPECT_DOUBLE_EQ((WaitTime{K::kBetween, 2, 5}).seconds_after(1, 0.5), 3.5);
  EXPECT_DOUBLE_EQ((WaitTime{K::kConstant, 1.5, 0}).seconds_after(9, 0.3), 1.5);
  EXPECT_DOUBLE_EQ((WaitTime{K::kConstantPacing, 2, 0}).seconds_after(0.5, 0.3), 1.5);
  EXPECT_DOUBLE_EQ((WaitTime{K::kConstantPacing, 2, 0}).seconds_after(3, 0.3), 0);
  EXPECT_DOUBLE_EQ((WaitTime{K::kConstantThroughput, 0.5, 0}).seconds_after(0.5, 0), 1.5);
  EXPECT_DOUBLE_EQ((WaitTime{K::kConstantThroughput, 4, 0}).seconds_after(1, 0), 0);
  EXPECT_DOUBLE_EQ((WaitTime{K::kConstantThroughput, 0, 0}).seconds_after(1, 0), 0);
}

Task named_task(std::string name, int weight) {
  Task t;
  t.name = std::move(name);
  t.weight = weight;
  return t;
}

TEST(TaskShares, WeightsNestedGroupsAndSequentialGroups) {
  auto inner = std::make_shared<TaskGroup>();
  inner->sequential = true;  // weights ignored: 1/3 each
  inner->tasks = {named_task("login", 5), named_task("browse", 1), named_task("leave", 1)};
  inner->tasks[2].kind = Task::Kind::kInterrupt;
  TaskGroup root;
  root.tasks = {named_task("read", 3), named_task("write", 1), named_task("session", 4),
                named_task("read", 2)};  // a second "read": merged with the first
  root.tasks[2].kind = Task::Kind::kGroup;
  root.tasks[2].group = inner;

  std::vector<TaskShare> shares = task_shares(root);
  ASSERT_EQ(shares.size(), 3u);
  EXPECT_EQ(shares[0].name, "read");
  EXPECT_DOUBLE_EQ(shares[0].ratio, 0.5);  // (3 + 2) / 10
  EXPECT_DOUBLE_EQ(shares[1].ratio, 0.1);
  EXPECT_DOUBLE_EQ(shares[2].ratio, 0.4);
  ASSERT_EQ(shares[2].tasks.size(), 3u);
  for (const TaskShare& t : shares[2].tasks) EXPECT_DOUBLE_EQ(t.ratio, 0.4 / 3) << t.name;
  EXPECT_TRUE(shares[0].tasks.empty());

  // Scaled by the class's share, as in Locust's "total".
  std::vector<TaskShare> total = task_shares(root, 0.5);
  EXPECT_DOUBLE_EQ(total[0].ratio, 0.25);
  EXPECT_DOUBLE_EQ(total[2].tasks[1].ratio, 0.2 / 3);
  EXPECT_TRUE(task_shares(TaskGroup{}).empty());
}

TEST(StatusSet, DefaultIsBelow400) {
  StatusSet s;
  EXPECT_TRUE(s.allows(200));
  EXPECT_TRUE(s.allows(302));
  EXPECT_TRUE(s.allows(399));
  EXPECT_FALSE(s.allows(400));
  EXPECT_FALSE(s.allows(503));
  EXPECT_FALSE(s.allows(0));  // no response
}

TEST(StatusSet, Ranges) {
  StatusSet s{{{200, 299}, {404, 404}}};
  EXPECT_TRUE(s.allows(200));
  EXPECT_TRUE(s.allows(299));
  EXPECT_TRUE(s.allows(404));
  EXPECT_FALSE(s.allows(300));
  EXPECT_FALSE(s.allows(403));
  EXPECT_FALSE(s.allows(0));
}

Task leaf(std::string name, std::vector<std::string> tags) {
  Task t;
  t.name = std::move(name);
  t.tags = std::move(tags);
  return t;
}

Task interrupt() {
  Task t;
  t.kind = Task::Kind::kInterrupt;
  t.name = "interrupt";
  return t;
}

Task group(std::string name, std::vector<std::string> tags, std::vector<Task> tasks) {
  Task t = leaf(std::move(name), std::move(tags));
  t.kind = Task::Kind::kGroup;
  t.group = std::make_shared<TaskGroup>();
  t.group->tasks = std::move(tasks);
  return t;
}

// Two classes; tags of groups are already copied into their tasks, as the loader does.
Suite sample() {
  Suite s;
  UserClass health;
  health.name = "Health";
  health.root.tasks = {leaf("health", {"health"}), leaf("ping", {})};
  UserClass browse;
  browse.name = "Browse";
  browse.root.tasks = {
      leaf("shows", {"read"}),
      group("library", {"browsing"},
            {leaf("movies", {"browsing", "read"}), leaf("write", {"browsing", "write"}),
             interrupt()}),
      group("untagged", {}, {leaf("detail", {"detail"}), leaf("plain", {}), interrupt()}),
  };
  s.classes = {health, browse};
  return s;
}

// "Class: task task group[inner inner] ..." for compact expectations.
std::string describe(const std::vector<Task>& tasks) {
  std::string out;
  for (const Task& t : tasks) {
    out += (out.empty() ? "" : " ") + t.name;
    if (t.group) out += "[" + describe(t.group->tasks) + "]";
  }
  return out;
}

std::string describe(const Suite& s) {
  std::string out;
  for (const UserClass& c : s.classes) out += c.name + ": " + describe(c.root.tasks) + "; ";
  return out;
}

std::string filtered(const std::vector<std::string>& include,
                     const std::vector<std::string>& exclude) {
  Suite s = sample();
  filter_tags(s, include, exclude);
  return describe(s);
}

TEST(FilterTags, NoTagsKeepsEverything) { EXPECT_EQ(filtered({}, {}), describe(sample())); }

TEST(FilterTags, IncludeKeepsTaggedTasksAndDropsEmptyClasses) {
  EXPECT_EQ(filtered({"health"}, {}), "Health: health; ");
  EXPECT_EQ(filtered({"read"}, {}), "Browse: shows library[movies interrupt]; ");
}

TEST(FilterTags, IncludeMatchingAGroupKeepsItWhole) {
  EXPECT_EQ(filtered({"browsing"}, {}), "Browse: library[movies write interrupt]; ");
}

TEST(FilterTags, IncludeReachesIntoUntaggedGroups) {
  EXPECT_EQ(filtered({"detail"}, {}), "Browse: untagged[detail interrupt]; ");
}

TEST(FilterTags, ExcludeDropsTasksAndGroups) {
  EXPECT_EQ(filtered({}, {"write"}),
            "Health: health ping; Browse: shows library[movies interrupt] "
            "untagged[detail plain interrupt]; ");
  EXPECT_EQ(filtered({}, {"browsing", "health"}),
            "Health: ping; Browse: shows untagged[detail plain interrupt]; ");
}

TEST(FilterTags, IncludeAndExcludeTogether) {
  EXPECT_EQ(filtered({"browsing"}, {"write"}), "Browse: library[movies interrupt]; ");
  EXPECT_EQ(filtered({"read", "health"}, {"browsing"}), "Health: health; Browse: shows; ");
}

TEST(FilterTags, NothingLeftLeavesNoClasses) { EXPECT_EQ(filtered({"nope"}, {}), ""); }

TEST(FilterTags, DoesNotChangeGroupsSharedWithACopy) {
  Suite original = sample();
  Suite copy = original;
  filter_tags(copy, {"read"}, {});
  EXPECT_EQ(describe(original), describe(sample()));
}

}  // namespace
}  // namespace arrload::scenario
