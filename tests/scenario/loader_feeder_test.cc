// feeders: in scenario files: declarations, the data files they read, and the errors that name
// the scenario's or the data file's line.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "scenario/loader.h"

namespace arrload::scenario {
namespace {

namespace fs = std::filesystem;

class FeederLoad : public ::testing::Test {
 protected:
  FeederLoad()
      : dir_(fs::temp_directory_path() /
             ("arrload-feeder-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data");
    write("data/accounts.csv", "user,password\nalice,a1\nbob,b2\ncarol,c3\n");
  }
  ~FeederLoad() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  Suite load(const std::string& yaml) {
    write("s.yaml", yaml);
    return load_suite(path("s.yaml"));
  }
  std::string error(const std::string& yaml) {
    try {
      load(yaml);
    } catch (const ScenarioError& e) {
      return e.what();
    }
    return "<no error>";
  }

  fs::path dir_;
};

TEST_F(FeederLoad, DeclaresFeedersAndTheClassesThatUseThem) {
  write("data/terms.jsonl", "{\"q\": \"Dune\"}\n{\"q\": \"Heat\"}\n");
  Suite s = load(R"(
feeders:
  accounts:
    file: data/accounts.csv
    order: unique
    on_exhausted: wrap
  terms: {file: data/terms.jsonl, order: random, refresh: task}
  plain: data/accounts.csv
users:
  - name: Viewer
    feeder: accounts
    on_start:
      - {method: POST, path: /login, form: {user: "{{ row.user }}", password: "{{ row.password }}"}}
    tasks:
      - GET /me
  - name: Searcher
    feeder: terms
    headers: {X-Term: "{{ row.q }}"}
    tasks:
      - request: {path: /search, query: {q: "{{ row.q }}"}}
  - name: Anonymous
    tasks:
      - GET /health
)");
  ASSERT_EQ(s.feeders.size(), 3u);
  const Feeder& accounts = s.feeders[0];
  EXPECT_EQ(accounts.name, "accounts");
  EXPECT_EQ(accounts.file, "data/accounts.csv");
  EXPECT_EQ(accounts.order, Feeder::Order::kUnique);
  EXPECT_TRUE(accounts.wrap);
  EXPECT_EQ(accounts.refresh, Feeder::Refresh::kUser);
  EXPECT_EQ(accounts.table->rows(), 3u);
  EXPECT_EQ(accounts.where, path("s.yaml") + ":4");
  EXPECT_EQ(accounts.sha256.size(), 64u);
  EXPECT_EQ(s.feeders[1].order, Feeder::Order::kRandom);
  EXPECT_EQ(s.feeders[1].refresh, Feeder::Refresh::kTask);
  EXPECT_EQ(s.feeders[1].table->cell(1, 0), "Heat");
  EXPECT_EQ(s.feeders[2].order, Feeder::Order::kSequential) << "the default";
  EXPECT_FALSE(s.feeders[2].wrap);
  EXPECT_EQ(s.feeders[2].sha256, accounts.sha256) << "the same file";
  EXPECT_EQ(s.classes[0].feeder, 0);
  EXPECT_EQ(s.classes[1].feeder, 1);
  EXPECT_EQ(s.classes[2].feeder, -1);
}

TEST_F(FeederLoad, TheDigestFollowsTheFilesBytes) {
  const std::string yaml = "feeders: {a: data/accounts.csv}\nusers: [{name: U, tasks: [GET /]}]\n";
  const std::string before = load(yaml).feeders[0].sha256;
  EXPECT_EQ(load(yaml).feeders[0].sha256, before);
  write("data/accounts.csv", "user,password\nalice,a1\nbob,b2\ncarol,c4\n");
  EXPECT_NE(load(yaml).feeders[0].sha256, before);
}

TEST_F(FeederLoad, DirectoryFilesShareFeeders) {
  fs::create_directories(dir_ / "suite");
  write("suite/accounts.csv", "user\nalice\n");
  write("suite/10-users.yaml",
        "users:\n  - name: U\n    feeder: accounts\n    tasks: [\"GET /u/{{ row.user }}\"]\n");
  write("suite/20-data.yaml", "feeders:\n  accounts: accounts.csv\n");
  Suite s = load_suite(path("suite"));
  ASSERT_EQ(s.feeders.size(), 1u);
  EXPECT_EQ(s.classes[0].feeder, 0);
  write("suite/30-again.yaml", "feeders:\n  accounts: accounts.csv\n");
  try {
    load_suite(path("suite"));
    ADD_FAILURE() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()), path("suite/30-again.yaml") +
                                         ":2: feeders.accounts: feeder 'accounts' is already "
                                         "declared at " +
                                         path("suite/20-data.yaml") + ":2");
  }
}

TEST_F(FeederLoad, UnknownColumnNamesTheTemplatesLineAndTheColumns) {
  EXPECT_EQ(error(R"(
feeders: {accounts: data/accounts.csv}
users:
  - name: U
    feeder: accounts
    tasks:
      - request:
          method: POST
          path: /login
          json: {user: "{{ row.usr }}"}
)"),
            path("s.yaml") +
                ":10: users[0].tasks[0].request.json.user: unknown column 'usr' of feeder "
                "'accounts' (data/accounts.csv) (its columns: user, password)");
}

TEST_F(FeederLoad, RowWithoutAFeederOnTheClass) {
  EXPECT_EQ(error("feeders: {accounts: data/accounts.csv}\n"
                  "users:\n  - name: U\n    tasks: [\"GET /{{ row.user }}\"]\n"),
            path("s.yaml") +
                ":4: users[0].tasks[0]: '{{ row.user }}' reads a feeder row, but the user class "
                "has no feeder (add feeder: NAME; feeders: accounts)");
}

TEST_F(FeederLoad, MissingFileNamesTheScenarioLineAndWhereItLooked) {
  EXPECT_EQ(
      error("feeders:\n  accounts:\n    file: nope.csv\nusers: [{name: U, tasks: [GET /]}]\n"),
      path("s.yaml") + ":3: feeders.accounts.file: cannot read file 'nope.csv' (looked for " +
          path("nope.csv") + "; paths are relative to the scenario file)");
  EXPECT_NE(error("feeders: {d: data}\nusers: [{name: U, tasks: [GET /]}]\n")
                .find("feeders.d: cannot tell the format of 'data' from its extension"),
            std::string::npos)
      << "a directory";
}

TEST_F(FeederLoad, DataFileErrorsNameTheDataFilesLine) {
  write("data/bad.csv", "user,password\nalice,a1\nbob\n");
  EXPECT_EQ(error("feeders:\n  bad: data/bad.csv\nusers: [{name: U, tasks: [GET /]}]\n"),
            path("data/bad.csv") +
                ":3: 1 field, but the header row (line 1) has 2 columns: user, password (feeder "
                "'bad', " +
                path("s.yaml") + ":2)");
  write("data/bad.jsonl", "{\"a\": 1}\n{\"a\": \n");
  EXPECT_NE(error("feeders:\n  bad: data/bad.jsonl\nusers: [{name: U, tasks: [GET /]}]\n")
                .find(path("data/bad.jsonl") + ":2: not valid JSON"),
            std::string::npos);
  write("data/empty.csv", "");
  EXPECT_EQ(error("feeders:\n  e: data/empty.csv\nusers: [{name: U, tasks: [GET /]}]\n"),
            path("data/empty.csv") +
                ": the file is empty (expected a header row naming the columns) (feeder 'e', " +
                path("s.yaml") + ":2)");
}

TEST_F(FeederLoad, FormatFromTheExtensionOrSaid) {
  write("data/rows.txt", "a\tb\n1\t2\n");
  Suite s = load(
      "feeders:\n  t: {file: data/rows.txt, format: tsv}\n"
      "users: [{name: U, tasks: [GET /]}]\n");
  EXPECT_EQ(s.feeders[0].table->cell(0, 1), "2");
  EXPECT_NE(error("feeders:\n  t: {file: data/rows.txt, format: xml}\n"
                  "users: [{name: U, tasks: [GET /]}]\n")
                .find(":2: feeders.t.format: unknown format 'xml' (csv, tsv or jsonl)"),
            std::string::npos);
}

TEST_F(FeederLoad, SettingsAreChecked) {
  const std::string users = "users: [{name: U, tasks: [GET /]}]\n";
  auto err = [&](const std::string& feeder) {
    return error("feeders:\n  a:\n    file: data/accounts.csv\n    " + feeder + "\n" + users);
  };
  EXPECT_NE(err("order: shuffled")
                .find(":4: feeders.a.order: unknown order 'shuffled' "
                      "(sequential, random or unique)"),
            std::string::npos);
  EXPECT_NE(err("on_exhausted: wrap")
                .find(":4: feeders.a.on_exhausted: only order: unique runs "
                      "out of rows"),
            std::string::npos);
  EXPECT_NE(err("order: unique\n    on_exhausted: stop")
                .find(":5: feeders.a.on_exhausted: unknown on_exhausted 'stop' (error or wrap)"),
            std::string::npos);
  EXPECT_NE(err("refresh: request").find(":4: feeders.a.refresh: unknown refresh 'request'"),
            std::string::npos);
  EXPECT_NE(err("orde: unique")
                .find(":4: feeders.a.orde: unknown key 'orde' (did you mean "
                      "'order'?"),
            std::string::npos);
  EXPECT_NE(error("feeders:\n  a b: data/accounts.csv\n" + users)
                .find("bad feeder name 'a b' (letters, digits, _ and -)"),
            std::string::npos);
  EXPECT_NE(error("feeders: {a: data/accounts.csv}\n"
                  "users: [{name: U, feeder: b, tasks: [GET /]}]\n")
                .find(":2: users[0].feeder: unknown feeder 'b' (feeders: a)"),
            std::string::npos);
}

}  // namespace
}  // namespace arrload::scenario
