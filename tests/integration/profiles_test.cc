// Profiles and load shapes end to end: the real binary runs the AutoArr suite's profiles, with
// --time-scale, against the embedded target, and a shape's falling stage lowers the user count.
#include <map>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "harness.h"

namespace arrload::testing {
namespace {

const std::string kSuite = ARRLOAD_SOURCE_DIR "/scenarios/autoarr";

// These tests check user counts and timing, not the suite's budgets (--no-budgets): under ASan
// on a busy machine a read can miss a 500 ms p95, which would change the exit status.
using ProfileTest = TargetTest;

std::map<std::string, std::int64_t> users_per_class(const boost::json::object& o) {
  std::map<std::string, std::int64_t> out;
  for (const auto& [name, n] : o.at("users_per_class").as_object()) {
    out[std::string(name)] = n.as_int64();
  }
  return out;
}

boost::json::object read_json(const std::string& path) {
  std::string text = read_file(path);
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << path << " is not a JSON object: " << text.substr(0, 200);
    return {};
  }
  return v.as_object();
}

TEST_F(ProfileTest, SteadyProfilesRunInSequenceAndReachTheirUserCounts) {
  auto r = run_arrload(
      {"run", "-f", kSuite, "--host", host_, "--profile", "baseline,normal,peak,stress,websocket",
       "--time-scale", "0.01", "-t", "3s", "--headless", "--only-summary", "--no-budgets",
       "--json-file", dir_.file("p.json"), "--csv", dir_.file("res") + "/"},
      {}, SIGTERM, std::chrono::seconds(120));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::map<std::string, std::int64_t> want = {
      {"baseline", 30}, {"normal", 40}, {"peak", 100}, {"stress", 225}, {"websocket", 100}};
  for (const auto& [name, users] : want) {
    boost::json::object o = read_json(dir_.file("p_" + name + ".json"));
    ASSERT_FALSE(o.empty()) << name;
    EXPECT_EQ(o.at("peak_user_count").as_int64(), users) << name;
    EXPECT_EQ(o.at("user_count").as_int64(), users) << name;
    // Each profile's CSV files under its own prefix.
    EXPECT_FALSE(read_file(dir_.file("res/" + name + "_stats.csv")).empty()) << name;
  }
  // At 100 users the class mix is exactly the seed's 40/30/20/5/3/2.
  auto mix = users_per_class(read_json(dir_.file("p_peak.json")));
  EXPECT_EQ(mix, (std::map<std::string, std::int64_t>{{"HealthCheckUser", 40},
                                                      {"MonitoringUser", 30},
                                                      {"BrowsingUser", 20},
                                                      {"ConfigurationAuditUser", 5},
                                                      {"ContentRequestUser", 3},
                                                      {"AdminUser", 2},
                                                      {"WebSocketUser", 0},
                                                      {"LogStreamUser", 0}}));
  // The websocket profile's weights: 60 of its 100 users hold a WebSocket.
  auto ws = users_per_class(read_json(dir_.file("p_websocket.json")));
  EXPECT_EQ(ws["WebSocketUser"], 40);
  EXPECT_EQ(ws["LogStreamUser"], 20);
  EXPECT_EQ(ws["ConfigurationAuditUser"], 0);
  EXPECT_NE(read_file(dir_.file("res/websocket_stats.csv")).find("WS,/api/v1/ws,"),
            std::string::npos);
}

TEST_F(ProfileTest, ShapedProfilesReachTheirPeaks) {
  struct Case {
    const char* profile;
    const char* scale;
    std::int64_t peak;
    std::int64_t end;
  };
  for (const Case& c : {Case{"spike", "0.01", 155, 30}, Case{"custom_curve", "0.01", 60, 0},
                        Case{"day", "0.002", 50, 20}}) {
    std::string json = dir_.file(std::string(c.profile) + ".json");
    auto r =
        run_arrload({"run", "-f", kSuite, "--host", host_, "--profile", c.profile, "--time-scale",
                     c.scale, "--headless", "--only-summary", "--no-budgets", "--json-file", json},
                    {}, SIGTERM, std::chrono::seconds(60));
    ASSERT_EQ(r.exit_code, 0) << c.profile << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find("Load shape finished"), std::string::npos) << r.err;
    boost::json::object o = read_json(json);
    ASSERT_FALSE(o.empty());
    EXPECT_EQ(o.at("peak_user_count").as_int64(), c.peak) << c.profile;
    // The last stage's count is where the run ended (custom_curve ramps down to none).
    EXPECT_LE(o.at("user_count").as_int64(), c.end + 2) << c.profile;
  }
}

TEST_F(ProfileTest, UnknownProfileAndTimeScaleWithoutProfileAreUsageErrors) {
  auto r = run_arrload({"run", "-f", kSuite, "--host", host_, "--profile", "peek", "--headless"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no profile 'peek'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("baseline"), std::string::npos) << r.err;  // lists the real ones
  r = run_arrload({"run", "-f", kSuite, "--host", host_, "--time-scale", "0.1", "--headless"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--time-scale"), std::string::npos) << r.err;
}

TEST_F(ProfileTest, ProfilesCommandListsThem) {
  auto r = run_arrload({"profiles", "-f", kSuite});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* name :
       {"baseline", "normal", "peak", "stress", "spike", "day", "websocket", "custom_curve"}) {
    EXPECT_NE(r.out.find(name), std::string::npos) << name << "\n" << r.out;
  }
  EXPECT_NE(r.out.find("225"), std::string::npos) << r.out;
}

// The User Count column of the history CSV, one value per second.
std::vector<int> user_counts(const std::string& history) {
  std::vector<int> out;
  auto lines = split_lines(history);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto cells = split_cells(lines[i]);
    if (cells.size() > 3 && cells[3] == "Aggregated") out.push_back(std::stoi(cells[1]));
  }
  return out;
}

TEST_F(ProfileTest, FallingStageLowersTheUserCountAtItsSpawnRate) {
  std::string scenario = dir_.write("shape.yaml", R"(users:
  - name: U
    wait: constant(0.2)
    tasks: [GET /ping]
shapes:
  fall:
    - {duration: 2500ms, users: 20, spawn_rate: 100}
    - {duration: 4s, users: 4, spawn_rate: 8}
profiles:
  fall: {shape: fall}
)");
  auto r = run_arrload({"run", "-f", scenario, "--host", host_, "--profile", "fall", "--headless",
                        "--only-summary", "--csv", dir_.file("fall")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<int> counts = user_counts(read_file(dir_.file("fall_stats_history.csv")));
  ASSERT_GE(counts.size(), 5u) << read_file(dir_.file("fall_stats_history.csv"));
  // Seconds 1 and 2: the first stage's 20 users (it ends at 2.5 s, between two history rows).
  // Then 8 users stop per second: at 3 s some but not all have, and by 5 s only 4 are left.
  EXPECT_EQ(counts[0], 20);
  EXPECT_EQ(counts[1], 20);
  EXPECT_GT(counts[2], 4);
  EXPECT_LT(counts[2], 20);
  EXPECT_EQ(counts[4], 4);
}

}  // namespace
}  // namespace arrload::testing
