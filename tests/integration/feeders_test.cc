// End to end: feeders through the real binary, checked against what the probe server received.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "integration/harness.h"
#include "support/probe_server.h"

namespace arrload::testing {
namespace {

using test_support::ProbeServer;

// Six accounts; the last password holds a quote and a backslash, which JSON bodies must escape.
constexpr const char* kAccounts =
    "user,password,display\r\n"
    "alice,a1,Alice A.\r\n"
    "bob,b2,Bob & Co\r\n"
    "carol,c3,\"Carol, C\"\r\n"
    "dave,d4,Dave\r\n"
    "erin,e5,Erin\r\n"
    "frank,\"p\"\"6\\\",Frank\r\n";

class FeedersTest : public ::testing::Test {
 protected:
  FeedersTest() { dir_.write("accounts.csv", kAccounts); }

  ProcessResult run(const std::string& scenario, const std::string& users) {
    return run_arrload({"run", "--headless", "-f", dir_.write("s.yaml", scenario), "--host",
                        probe_.url(), "-u", users, "-r", "100", "-t", "2s", "--csv",
                        dir_.file("out"), "--only-summary"});
  }
  std::string stats() const { return read_file(dir_.file("out_stats.csv")); }
  std::string exceptions() const { return read_file(dir_.file("out_exceptions.csv")); }

  // The "user" member of each JSON body POSTed to /login, and each one's password by user.
  std::multiset<std::string> logins(std::map<std::string, std::string>* passwords = nullptr) {
    std::multiset<std::string> out;
    for (const auto& rec : probe_.received("/login")) {
      boost::system::error_code ec;
      const boost::json::value body = boost::json::parse(rec.body, ec);
      EXPECT_FALSE(ec) << "not JSON: " << rec.body;
      if (ec || !body.is_object()) continue;
      const std::string user(body.at("user").as_string());
      out.insert(user);
      if (passwords != nullptr) (*passwords)[user] = std::string(body.at("password").as_string());
    }
    return out;
  }

  ProbeServer probe_;
  TempDir dir_;
};

constexpr const char* kLoginThenBrowse = R"(
feeders:
  accounts: {file: accounts.csv, order: unique%s}
users:
  - name: Viewer
    feeder: accounts
    wait: constant(0.05)
    on_start:
      - method: POST
        path: /login
        json: {user: "{{ row.user }}", password: "{{ row.password }}"}
    tasks:
      - request: {path: "/me/{{ row.user }}", query: {who: "{{ row.display }}"}, name: me}
)";

std::string login_then_browse(const std::string& extra) {
  std::string text = kLoginThenBrowse;
  text.replace(text.find("%s"), 2, extra);
  return text;
}

TEST_F(FeedersTest, UniqueGivesEachUserItsOwnAccount) {
  auto r = run(login_then_browse(""), "6");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::map<std::string, std::string> passwords;
  EXPECT_EQ(logins(&passwords),
            (std::multiset<std::string>{"alice", "bob", "carol", "dave", "erin", "frank"}));
  EXPECT_EQ(passwords["alice"], "a1");
  EXPECT_EQ(passwords["frank"], "p\"6\\") << "JSON-escaped in the body, so it reads back whole";
  // Later tasks see the row the user logged in with; query values are URL-encoded.
  const std::map<std::string, std::string> display = {
      {"alice", "Alice%20A."}, {"bob", "Bob%20%26%20Co"}, {"carol", "Carol%2C%20C"},
      {"dave", "Dave"},        {"erin", "Erin"},          {"frank", "Frank"}};
  std::set<std::string> browsed;
  for (const auto& rec : probe_.received("/me/")) {
    const std::string user = rec.target.substr(4, rec.target.find('?') - 4);
    ASSERT_TRUE(display.contains(user)) << rec.target;
    EXPECT_EQ(rec.target, "/me/" + user + "?who=" + display.at(user));
    browsed.insert(user);
  }
  EXPECT_EQ(browsed.size(), 6u);
}

TEST_F(FeedersTest, UniqueWithWrapStartsAgainAtTheFirstRow) {
  dir_.write("accounts.csv", "user,password,display\nalice,a1,A\nbob,b2,B\n");
  auto r = run(login_then_browse(", on_exhausted: wrap"), "4");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(logins(), (std::multiset<std::string>{"alice", "alice", "bob", "bob"}));
}

TEST_F(FeedersTest, UniqueOutOfRowsLeavesTheExtraUsersOutAndSaysSo) {
  dir_.write("accounts.csv", "user,password,display\nalice,a1,A\nbob,b2,B\n");
  auto r = run(login_then_browse(""), "4");
  EXPECT_EQ(r.exit_code, 1) << "an exception was recorded: " << r.out << r.err;
  EXPECT_EQ(logins(), (std::multiset<std::string>{"alice", "bob"}));
  const auto row = stats_row(stats(), "/login");
  ASSERT_FALSE(row.empty()) << stats();
  EXPECT_EQ(row[2], "2");
  EXPECT_EQ(row[3], "0") << "no request failed";
  EXPECT_NE(exceptions().find("2,\"feeder 'accounts' ran out of rows: order: unique gives each of "
                              "the 2 rows of accounts.csv once per run, and all are taken; a user "
                              "of class Viewer did not start (add rows, start fewer users, or set "
                              "on_exhausted: wrap)"),
            std::string::npos)
      << exceptions();
}

TEST_F(FeedersTest, RefreshPerTaskUniqueStopsTheUserWhenRowsRunOut) {
  dir_.write("ids.jsonl", "{\"id\": 1}\n{\"id\": 2}\n{\"id\": 3}\n");
  auto r = run(R"(
feeders:
  ids: {file: ids.jsonl, order: unique, refresh: task}
users:
  - name: Worker
    feeder: ids
    wait: constant(0.02)
    on_start: ["GET /start/{{ row.id }}"]
    tasks: ["GET /item/{{ row.id }}"]
    on_stop: ["GET /bye/{{ row.id }}"]
)",
               "1");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::vector<std::string> targets;
  for (const auto& rec : probe_.received()) targets.push_back(rec.target);
  EXPECT_EQ(targets,
            (std::vector<std::string>{"/start/1", "/item/1", "/item/2", "/item/3", "/bye/3"}))
      << "on_start and the first task share a row; on_stop keeps the last";
  EXPECT_NE(exceptions().find(
                "1,\"feeder 'ids' ran out of rows: order: unique gives each of the 3 "
                "rows of ids.jsonl once per run, and all are taken; a user of class "
                "Worker stopped before its next task (add rows, or set on_exhausted: wrap)\""),
            std::string::npos)
      << exceptions();
}

TEST_F(FeedersTest, SequentialPerTaskCyclesThroughTheRowsSharedByUsers) {
  dir_.write("ids.csv", "id\n1\n2\n3\n");
  auto r = run(R"(
feeders:
  ids: {file: ids.csv, refresh: task}
users:
  - name: Worker
    feeder: ids
    wait: constant(0.02)
    tasks: ["GET /item/{{ row.id }}"]
)",
               "2");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::map<std::string, int> seen;
  for (const auto& rec : probe_.received("/item/")) ++seen[rec.target];
  ASSERT_EQ(seen.size(), 3u);
  int least = seen.begin()->second, most = least;
  for (const auto& [target, n] : seen) {
    least = std::min(least, n);
    most = std::max(most, n);
  }
  EXPECT_GE(least, 5);
  // One shared counter hands out 1, 2, 3, 1, 2, 3, ... (two users hold one row each at the start).
  EXPECT_LE(most - least, 2) << most << " vs " << least;
}

}  // namespace
}  // namespace arrload::testing
