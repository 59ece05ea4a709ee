// The suite embedded for `arrload demo` is scenarios/autoarr, file for file.
#include "cli/embedded_suite.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "scenario/loader.h"

namespace arrload::cli {
namespace {

TEST(EmbeddedSuite, MatchesTheFilesAndLoadsTheSame) {
  namespace fs = std::filesystem;
  auto files = embedded_suite();
  std::size_t on_disk = 0;
  for (const auto& entry : fs::directory_iterator(ARRLOAD_SOURCE_DIR "/scenarios/autoarr")) {
    if (entry.path().extension() == ".yaml") ++on_disk;
  }
  EXPECT_EQ(files.size(), on_disk);
  for (const auto& [name, text] : files) {
    std::ifstream in(std::string(ARRLOAD_SOURCE_DIR "/") + name);
    std::stringstream disk;
    disk << in.rdbuf();
    EXPECT_EQ(text, disk.str()) << name << " differs: rebuild to embed the current files";
  }
  scenario::Suite embedded = scenario::load_suite_from_strings(files, "embedded");
  scenario::Suite disk = scenario::load_suite(ARRLOAD_SOURCE_DIR "/scenarios/autoarr");
  ASSERT_EQ(embedded.classes.size(), disk.classes.size());
  for (std::size_t i = 0; i < disk.classes.size(); ++i) {
    EXPECT_EQ(embedded.classes[i].name, disk.classes[i].name);
  }
  EXPECT_EQ(embedded.profiles.size(), disk.profiles.size());
  EXPECT_EQ(embedded.shapes.size(), disk.shapes.size());
}

}  // namespace
}  // namespace arrload::cli
