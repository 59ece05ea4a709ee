// The scenario fingerprint a master and its workers compare: it covers the feeders' data files.
#include "cli/run_support.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "scenario/loader.h"

namespace arrload::cli {
namespace {

namespace fs = std::filesystem;

TEST(ScenarioFingerprint, ChangesWithAFeedersDataFile) {
  const fs::path dir = fs::temp_directory_path() / ("arrload-fp-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string yaml = (dir / "s.yaml").string();
  std::ofstream(yaml) << "feeders: {a: accounts.csv}\n"
                         "users: [{name: U, feeder: a, tasks: [\"GET /{{ row.user }}\"]}]\n";
  auto fingerprint = [&](const std::string& csv) {
    std::ofstream(dir / "accounts.csv") << csv;
    const scenario::Suite suite = scenario::load_suite(yaml);
    return scenario_fingerprint(yaml, {}, suite.feeders);
  };
  const std::string first = fingerprint("user\nalice\nbob\n");
  EXPECT_EQ(first.size(), 16u);
  EXPECT_EQ(fingerprint("user\nalice\nbob\n"), first);
  EXPECT_NE(fingerprint("user\nalice\ncarol\n"), first);
  EXPECT_EQ(scenario_fingerprint(yaml, {}), scenario_fingerprint(yaml, {}, {}))
      << "a suite without feeders keeps the fingerprint it had";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace arrload::cli
