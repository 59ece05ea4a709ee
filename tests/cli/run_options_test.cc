// `arrload run`'s options as the command line gives them.
#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

#include "cli/run_command.h"

namespace arrload::cli {
namespace {

// Parses ARGS (after the program name) into a RunCommand; throws CLI11's errors.
RunCommand parse(std::vector<std::string> args) {
  RunCommand cmd;
  CLI::App app("test");
  add_run_options(app, cmd, /*scenario_required=*/false);
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector in reverse order
  app.parse(args);
  return cmd;
}

TEST(RunOptions, WebAsInTheSeedsLocustCommandMeansTheWebUi) {
  EXPECT_FALSE(parse({"--web", "--web-port", "9000"}).headless);
  EXPECT_EQ(parse({"--web", "--web-port", "9000"}).web_port, 9000);
  EXPECT_TRUE(parse({"--headless"}).headless);
  EXPECT_FALSE(parse({}).headless);
  EXPECT_THROW(parse({"--web", "--headless"}), CLI::ExcludesError);
}

TEST(RunOptions, MaxBodySizeTakesASizeWithUnits) {
  EXPECT_EQ(parse({}).max_body_bytes, 64u << 20);
  EXPECT_EQ(parse({"--max-body-size", "1GiB"}).max_body_bytes, 1u << 30);
  EXPECT_EQ(parse({"--max-body-size", "500KB"}).max_body_bytes, 500'000u);
  EXPECT_EQ(parse({"--max-body-size", "0"}).max_body_bytes, 0u);
  EXPECT_THROW(parse({"--max-body-size", "12parsecs"}), CLI::ValidationError);
  EXPECT_THROW(parse({"--max-body-size", "-1"}), CLI::ValidationError);
}

}  // namespace
}  // namespace arrload::cli
