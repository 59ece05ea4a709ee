// docs/coming-from-locust.md stays true: its scenario is examples/coming-from-locust.yaml, and
// every command of its `sh` blocks runs and exits 0 against the embedded target, from a folder
// holding examples/ and the page's locust.conf.
#include <filesystem>
#include <regex>

#include <gtest/gtest.h>

#include "integration/harness.h"

namespace arrload::testing {
namespace {

using ComingFromLocustTest = TargetTest;

// The contents of the page's fenced blocks of LANG ("sh", "yaml", "ini"), in order.
std::vector<std::string> blocks(const std::string& page, const std::string& lang) {
  std::vector<std::string> out;
  std::string current;
  bool inside = false;
  for (const std::string& line : split_lines(page)) {
    if (!inside && line == "```" + lang) {
      inside = true;
      current.clear();
    } else if (inside && line == "```") {
      inside = false;
      out.push_back(current);
    } else if (inside) {
      current += line + "\n";
    }
  }
  return out;
}

const std::string kPage = std::string(ARRLOAD_SOURCE_DIR) + "/docs/coming-from-locust.md";

TEST(ComingFromLocust, TheScenarioOnThePageIsTheExampleFile) {
  const std::vector<std::string> yaml = blocks(read_file(kPage), "yaml");
  ASSERT_EQ(yaml.size(), 1u);
  std::string file =
      read_file(std::string(ARRLOAD_SOURCE_DIR) + "/examples/coming-from-locust.yaml");
  // The file starts with two comment lines the page leaves out.
  while (file.rfind("#", 0) == 0) file = file.substr(file.find('\n') + 1);
  EXPECT_EQ(yaml[0], file);
}

TEST_F(ComingFromLocustTest, EveryCommandOnThePageRuns) {
  const std::string page = read_file(kPage);
  const std::string folder = dir_.file("");
  std::filesystem::create_directory_symlink(std::string(ARRLOAD_SOURCE_DIR) + "/examples",
                                            dir_.file("examples"));
  for (const std::string& conf : blocks(page, "ini")) {
    if (conf.rfind("# locust.conf\n", 0) == 0) dir_.write("locust.conf", conf);
  }
  int ran = 0;
  for (const std::string& block : blocks(page, "sh")) {
    for (std::string line : split_lines(block)) {
      if (line.empty()) continue;
      ASSERT_NE(line.find("arrload "), std::string::npos) << line;
      if (line.find("| jq") != std::string::npos && !std::filesystem::exists("/usr/bin/jq")) {
        continue;
      }
      const std::string shown = line;
      line = std::regex_replace(line, std::regex("http://127\\.0\\.0\\.1:8088"), host_);
      line = std::regex_replace(line, std::regex("(^| )arrload "),
                                std::string("$1'") + ARRLOAD_BINARY + "' ");
      // pipefail: a failing arrload must fail the line even when piped into jq.
      Arrload child("/bin/bash",
                    {"-o", "pipefail", "-c",
                     "cd '" + folder + "' && export HOME='" + folder + "' && " + line},
                    {});
      ProcessResult r = child.wait(std::chrono::seconds(60));
      EXPECT_EQ(r.exit_code, 0) << shown << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err;
      ++ran;
    }
  }
  EXPECT_GE(ran, 8);
}

}  // namespace
}  // namespace arrload::testing
