// Loading from files and directories.
#include <unistd.h>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "scenario/loader.h"

namespace arrload::scenario {
namespace {

namespace fs = std::filesystem;

class ScenarioDir : public ::testing::Test {
 protected:
  ScenarioDir()
      : dir_(fs::temp_directory_path() /
             ("arrload-scenario-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~ScenarioDir() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }

  ScenarioError error() {
    try {
      load_suite(dir_.string());
    } catch (const ScenarioError& e) {
      return e;
    }
    ADD_FAILURE() << "no error";
    return ScenarioError("", 0, "", "");
  }

  fs::path dir_;
};

TEST_F(ScenarioDir, MergesFilesInNameOrder) {
  write("20-browse.yml",
        "host: http://second\n"
        "data:\n  queries: [Dune]\n"
        "users:\n  - name: B\n    tasks:\n      - GET /shows/{{ id }}\n");
  write("10-health.yaml",
        "timeout: 5s\n"
        "users:\n  - name: A\n    tasks:\n"
        "      - request: {path: \"/q/{{ choice(queries) }}\", extract: {id: $.id}}\n");
  write("30-data.yaml", "host: http://third\ndata:\n  more: [x]\n");
  write("notes.txt", "not yaml: [");
  Suite s = load_suite(dir_.string());
  EXPECT_EQ(s.file, dir_.string());
  ASSERT_EQ(s.classes.size(), 2u);
  EXPECT_EQ(s.classes[0].name, "A");
  EXPECT_EQ(s.classes[1].name, "B");
  EXPECT_EQ(s.classes[0].where.file, (dir_ / "10-health.yaml").string());
  EXPECT_EQ(s.host, "http://second");
  EXPECT_EQ(s.default_timeout, std::chrono::seconds(5));
  EXPECT_EQ(s.var_names, std::vector<std::string>{"id"});
}

TEST_F(ScenarioDir, ProfilesInOneFileMayUseShapesAndClassesOfOthers) {
  write("profiles.yaml", "profiles: {day: {shape: day, weights: {A: 3}}}\n");
  write("shapes.yaml", "shapes: {day: [{duration: 1m, users: 2, classes: [A]}]}\n");
  write("suite.yaml", "users:\n  - name: A\n    tasks: [GET /a]\n");
  write("budgets.yaml", "budgets: {read: {p95: 500ms}}\n");  // the judge's, not the loader's
  Suite s = load_suite(dir_.string());
  ASSERT_NE(s.find_profile("day"), nullptr);
  ASSERT_NE(s.find_shape("day"), nullptr);
  EXPECT_EQ(s.classes.size(), 1u);
}

TEST_F(ScenarioDir, DuplicateProfileAcrossFiles) {
  write("a.yaml", "users:\n  - name: A\n    tasks: [GET /a]\nprofiles: {p: {users: 1}}\n");
  write("b.yaml", "profiles:\n  p: {users: 2}\n");
  ScenarioError e = error();
  EXPECT_EQ(e.file(), (dir_ / "b.yaml").string());
  EXPECT_EQ(e.line(), 2);
  EXPECT_NE(std::string(e.what()).find("profile 'p' is already declared at"), std::string::npos)
      << e.what();
}

TEST_F(ScenarioDir, DuplicateDataListAcrossFiles) {
  write("a.yaml", "data:\n  q: [x]\nusers:\n  - {name: A, tasks: [/x]}\n");
  write("b.yaml", "data:\n  q: [y]\n");
  ScenarioError e = error();
  EXPECT_EQ(e.file(), (dir_ / "b.yaml").string());
  EXPECT_EQ(e.line(), 2);
  EXPECT_EQ(e.field(), "data.q");
  EXPECT_NE(std::string(e.what()).find("already declared at"), std::string::npos) << e.what();
}

TEST_F(ScenarioDir, DuplicateUserClassAcrossFiles) {
  write("a.yaml", "users:\n  - {name: A, tasks: [/x]}\n");
  write("b.yaml", "\nusers:\n  - {name: A, tasks: [/y]}\n");
  ScenarioError e = error();
  EXPECT_EQ(e.file(), (dir_ / "b.yaml").string());
  EXPECT_EQ(e.line(), 3);
  EXPECT_NE(std::string(e.what()).find("duplicate user class 'A' (first at"), std::string::npos);
}

TEST_F(ScenarioDir, NoUsersInAnyFile) {
  write("a.yaml", "host: http://x\n");
  write("b.yaml", "data:\n  q: [y]\n");
  ScenarioError e = error();
  EXPECT_EQ(e.field(), "users");
  EXPECT_NE(std::string(e.what()).find("no user classes"), std::string::npos);
}

TEST_F(ScenarioDir, SyntaxErrorNamesTheFile) {
  write("a.yaml", "users:\n  - {name: A, tasks: [/x]}\n");
  write("b.yaml", "users: [\n");
  ScenarioError e = error();
  EXPECT_EQ(e.file(), (dir_ / "b.yaml").string());
  EXPECT_NE(std::string(e.what()).find("YAML syntax error"), std::string::npos);
}

TEST_F(ScenarioDir, EmptyDirectory) {
  EXPECT_NE(std::string(error().what()).find("no .yaml or .yml files"), std::string::npos);
}

TEST_F(ScenarioDir, SingleFileByPath) {
  write("one.yaml", "users:\n  - {name: A, tasks: [GET /health]}\n");
  Suite s = load_suite((dir_ / "one.yaml").string());
  EXPECT_EQ(s.file, (dir_ / "one.yaml").string());
  EXPECT_EQ(s.classes[0].root.tasks[0].name, "GET /health");
}

TEST_F(ScenarioDir, FilesAreReadRelativeToTheScenarioAndSentAsMultipart) {
  fs::create_directories(dir_ / "data");
  write("data/notes.txt", std::string("line 1\nline 2\0end", 17));
  write("up.yaml", R"(users:
  - name: A
    tasks:
      - request:
          method: POST
          path: /upload
          form: {title: "hi {{ counter }}"}
          files:
            notes: data/notes.txt
            raw: {path: data/notes.txt, filename: r.bin, content_type: application/x-raw}
)");
  Suite s = load_suite((dir_ / "up.yaml").string());
  const Request& r = s.classes[0].root.tasks[0].requests[0];
  const std::string b = "arrload-form-boundary-5c7e0b2d9f3a4816";
  EXPECT_EQ(r.content_type, "multipart/form-data; boundary=" + b);
  core::Rng rng(1);
  RenderContext ctx;
  ctx.rng = &rng;
  ctx.counter = 7;
  const std::string notes("line 1\nline 2\0end", 17);
  EXPECT_EQ(r.body->render(ctx),
            "--" + b + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhi 7\r\n" + "--" +
                b +
                "\r\nContent-Disposition: form-data; name=\"notes\"; filename=\"notes.txt\"\r\n"
                "Content-Type: text/plain\r\n\r\n" +
                notes + "\r\n--" + b +
                "\r\nContent-Disposition: form-data; name=\"raw\"; filename=\"r.bin\"\r\n"
                "Content-Type: application/x-raw\r\n\r\n" +
                notes + "\r\n--" + b + "--\r\n");
}

}  // namespace
}  // namespace arrload::scenario
