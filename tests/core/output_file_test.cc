#include "core/output_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace arrload::core {
namespace {

namespace fs = std::filesystem;

class OutputFileTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "arrload_out_XXXXXX").string();
    dir_ = ::mkdtemp(templ.data());
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string read(const std::string& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static bool write(const std::string& p, const std::string& text, bool append,
                    std::string* error) {
    std::FILE* f = open_output_file(p, append, error);
    if (f == nullptr) return false;
    std::fputs(text.c_str(), f);
    return std::fclose(f) == 0;
  }
  fs::path dir_;
};

// Even with a umask of 0 a report is not group- or world-writable.
TEST_F(OutputFileTest, NewFilesAreNotWritableByOthers) {
  const mode_t old = ::umask(0);
  std::string error;
  const bool ok = write(path("r.csv"), "a\n", false, &error);
  ::umask(old);
  ASSERT_TRUE(ok) << error;
  struct stat st {};
  ASSERT_EQ(::stat(path("r.csv").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST_F(OutputFileTest, TruncatesOrAppends) {
  std::string error;
  ASSERT_TRUE(write(path("r.log"), "one\n", false, &error)) << error;
  ASSERT_TRUE(write(path("r.log"), "two\n", true, &error)) << error;
  EXPECT_EQ(read(path("r.log")), "one\ntwo\n");
  ASSERT_TRUE(write(path("r.log"), "three\n", false, &error)) << error;
  EXPECT_EQ(read(path("r.log")), "three\n");
}

// A link planted where a report goes does not redirect the write: the file it points to keeps
// its content, and the error says why.
TEST_F(OutputFileTest, NeverWritesThroughASymbolicLink) {
  std::ofstream(path("victim")) << "precious\n";
  fs::create_symlink(path("victim"), path("report.html"));
  for (bool append : {false, true}) {
    std::string error;
    EXPECT_FALSE(write(path("report.html"), "overwritten\n", append, &error));
    EXPECT_NE(error.find("report.html: is a symbolic link"), std::string::npos) << error;
  }
  EXPECT_EQ(read(path("victim")), "precious\n");
  std::string error;
  EXPECT_TRUE(write("/dev/null", "x", false, &error)) << error;  // devices as given
  EXPECT_FALSE(write(path("no/such/dir/r.csv"), "x", false, &error));
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

}  // namespace
}  // namespace arrload::core

namespace arrload::core {
namespace {

// What the source tree writes to the file system, besides open_output_file: a tripwire so that a
// new writer (a scenario key that saves response bodies, say) is seen and confined, not added
// quietly. docs/reliability.md ("Security defaults") says why each entry below takes no
// scenario value.
TEST(OutputFileTripwire, EveryWriterIsKnown) {
  const fs::path src = fs::path(ARRLOAD_TEST_DATA) / ".." / ".." / "src";
  const char* patterns[] = {"fopen(",   "ofstream", "O_CREAT",        "O_WRONLY",  "O_RDWR",
                            "mkstemp(", "rename(",  "create_directo", "copy_file", "fstream("};
  // FILE:PATTERN pairs that are known: the CLI's report directories and --logfile's, the
  // target's temporary database (--db).
  const std::set<std::string> known = {
      "core/output_file.cc:O_CREAT",       "core/output_file.cc:O_WRONLY",
      "cli/run_support.cc:create_directo", "cli/run_reports.cc:create_directo",
      "target/database.cc:mkstemp(",
  };
  std::vector<std::string> unknown;
  for (const auto& entry : fs::recursive_directory_iterator(src)) {
    if (!entry.is_regular_file()) continue;
    const std::string rel = fs::relative(entry.path(), src).string();
    std::ifstream in(entry.path());
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      for (const char* p : patterns) {
        if (line.find(p) == std::string::npos || line.find("ifstream") != std::string::npos) {
          continue;
        }
        if (!known.count(rel + ":" + p))
          unknown.push_back(rel + ":" + std::to_string(n) + ": " + line);
      }
    }
  }
  EXPECT_TRUE(unknown.empty()) << "new file writers (confine them to the report paths, then list "
                                  "them here):\n"
                               << testing::PrintToString(unknown);
}

}  // namespace
}  // namespace arrload::core
