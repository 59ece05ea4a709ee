// The AutoArr suite in scenarios/autoarr: it loads, every request is categorised and tagged as
// README.md says, and -T/-E select exactly the tagged tasks.
#include <stdlib.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "scenario/loader.h"

namespace arrload::scenario {
namespace {

const char* const kSuite = ARRLOAD_SOURCE_DIR "/scenarios/autoarr";

void for_each_task(const TaskGroup& g, const std::function<void(const Task&)>& f) {
  for (const Task& t : g.tasks) {
    f(t);
    if (t.group) for_each_task(*t.group, f);
  }
}

std::vector<const Request*> all_requests(const UserClass& c) {
  std::vector<const Request*> out;
  for (const Request& r : c.root.on_start) out.push_back(&r);
  for (const Request& r : c.root.on_stop) out.push_back(&r);
  for_each_task(c.root, [&](const Task& t) {
    for (const Request& r : t.requests) out.push_back(&r);
  });
  return out;
}

bool has_tag(const Task& t, const std::string& tag) {
  return std::find(t.tags.begin(), t.tags.end(), tag) != t.tags.end();
}

TEST(AutoArrSuite, ClassesAndWeightsAreTheSeeds) {
  ::unsetenv("AUTOARR_BASE_URL");
  Suite s = load_suite(kSuite);
  std::map<std::string, int> weights;
  std::vector<std::string> open;
  for (const UserClass& c : s.classes) {
    if (c.optional) {
      EXPECT_TRUE(c.arrival) << c.name;  // the open-model variants, run only by their profiles
      open.push_back(c.name);
      continue;
    }
    weights[c.name] = c.weight;
  }
  EXPECT_EQ(open, (std::vector<std::string>{"OpenReader", "OpenSpikeReader"}));
  EXPECT_EQ(s.find_profile("open-peak")->classes, std::vector<std::string>{"OpenReader"});
  EXPECT_EQ(s.find_profile("open-spike")->classes, std::vector<std::string>{"OpenSpikeReader"});
  EXPECT_EQ(weights, (std::map<std::string, int>{{"HealthCheckUser", 40},
                                                 {"MonitoringUser", 30},
                                                 {"BrowsingUser", 20},
                                                 {"ConfigurationAuditUser", 5},
                                                 {"ContentRequestUser", 3},
                                                 {"AdminUser", 2},
                                                 {"WebSocketUser", 0},
                                                 {"LogStreamUser", 0}}));
  EXPECT_EQ(s.host, "http://localhost:8088");  // ${AUTOARR_BASE_URL:-...} when it is unset
}

TEST(AutoArrSuite, EveryRequestHasAKnownCategoryAndEveryTaskIsTagged) {
  const std::set<std::string> categories = {"health", "read", "write", "slow", "websocket"};
  const std::set<std::string> areas = {"health",  "monitoring", "browsing", "configuration",
                                       "content", "admin",      "websocket"};
  Suite s = load_suite(kSuite);
  for (const UserClass& c : s.classes) {
    for (const Request* r : all_requests(c)) {
      EXPECT_TRUE(categories.count(r->category))
          << c.name << " " << r->path.source() << " category '" << r->category << "'";
      if (r->ws) {
        EXPECT_EQ(r->category, "websocket") << c.name;
      } else if (r->method != "GET") {
        EXPECT_TRUE(r->category == "write" || r->category == "slow") << r->path.source();
      }
    }
    for_each_task(c.root, [&](const Task& t) {
      bool area = std::any_of(t.tags.begin(), t.tags.end(),
                              [&](const std::string& tag) { return areas.count(tag) > 0; });
      EXPECT_TRUE(area) << c.name << "." << t.name;
      bool kind = has_tag(t, "read") || has_tag(t, "write") || has_tag(t, "slow") ||
                  has_tag(t, "websocket");
      EXPECT_TRUE(kind) << c.name << "." << t.name;
    });
  }
}

TEST(AutoArrSuite, EveryProfileLoadsWithTheSeedsNumbers) {
  Suite s = load_suite(kSuite);
  struct Want {
    const char* name;
    int users;
    double rate;
    int minutes;
  };
  for (const Want& w :
       {Want{"baseline", 30, 5, 5}, Want{"normal", 40, 5, 10}, Want{"peak", 100, 10, 15},
        Want{"stress", 225, 10, 20}, Want{"websocket", 100, 10, 8}}) {
    const Profile* p = s.find_profile(w.name);
    ASSERT_NE(p, nullptr) << w.name;
    EXPECT_EQ(p->users, w.users) << w.name;
    EXPECT_EQ(p->spawn_rate, w.rate) << w.name;
    EXPECT_EQ(p->run_time, std::chrono::minutes(w.minutes)) << w.name;
  }
  auto peak_of = [&](const char* shape) {
    int peak = 0;
    for (const ShapeStage& st : s.find_shape(shape)->stages) peak = std::max(peak, st.users);
    return peak;
  };
  ASSERT_NE(s.find_profile("spike"), nullptr);
  EXPECT_EQ(peak_of("spike"), 155);
  EXPECT_EQ(s.find_shape("spike")->total(), std::chrono::minutes(10));
  EXPECT_EQ(s.find_shape("spike")->stages[1].spawn_rate, 150);
  EXPECT_EQ(peak_of("day"), 50);
  EXPECT_EQ(s.find_shape("day")->total(), std::chrono::minutes(60));
  // The websocket profile holds 50+ WebSocket connections at its user count.
  const Profile* ws = s.find_profile("websocket");
  int total = 0;
  for (const auto& [cls, weight] : ws->weights) total += weight;
  int ws_share = ws->weights.at("WebSocketUser") + ws->weights.at("LogStreamUser");
  EXPECT_GE(*ws->users * ws_share / total, 50);
}

TEST(AutoArrSuite, IncludeTagsKeepExactlyTheTaggedTasks) {
  Suite s = load_suite(kSuite);
  std::erase_if(s.classes, [](const UserClass& c) { return c.optional; });  // as a run does
  filter_tags(s, {"health"}, {});
  ASSERT_EQ(s.classes.size(), 1u);
  EXPECT_EQ(s.classes[0].name, "HealthCheckUser");
  Suite all = load_suite(kSuite);
  EXPECT_EQ(s.classes[0].root.tasks.size(), all.classes[0].root.tasks.size());

  Suite ws = load_suite(kSuite);
  filter_tags(ws, {"websocket"}, {});
  for (const UserClass& c : ws.classes) {
    for_each_task(c.root, [&](const Task& t) { EXPECT_TRUE(has_tag(t, "websocket")); });
  }
  EXPECT_EQ(ws.classes.size(), 2u);
}

TEST(AutoArrSuite, ExcludeTagsDropExactlyTheTaggedTasks) {
  Suite s = load_suite(kSuite);
  filter_tags(s, {}, {"configuration"});
  std::size_t kept = 0;
  for (const UserClass& c : s.classes) {
    EXPECT_NE(c.name, "ConfigurationAuditUser");  // every one of its tasks is tagged so
    for_each_task(c.root, [&](const Task& t) {
      EXPECT_FALSE(has_tag(t, "configuration")) << c.name << "." << t.name;
      ++kept;
    });
  }
  Suite all = load_suite(kSuite);
  std::size_t tagged = 0, total = 0;
  for (const UserClass& c : all.classes) {
    for_each_task(c.root, [&](const Task& t) {
      ++total;
      tagged += has_tag(t, "configuration") ? 1 : 0;
    });
  }
  EXPECT_GT(tagged, 0u);
  EXPECT_EQ(kept, total - tagged);
}

}  // namespace
}  // namespace arrload::scenario
