// What a run says of itself must be true: the final console table's rates are the CSV's, a failed
// pre-flight still leaves every report asked for, `validate` rejects what `run` rejects, and
// options say what wins and what is wrong in words.
#include <signal.h>

#include <regex>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "integration/harness.h"

namespace arrload::testing {
namespace {

using RunTruthTest = TargetTest;

const char* kPing = R"(
users:
  - name: Pinger
    wait: constant(0.01)
    tasks:
      - {name: ping, request: GET /ping}
)";

TEST_F(RunTruthTest, FinalConsoleRatesAreTheCsvRates) {
  const std::string scenario = dir_.write("ping.yaml", kPing);
  auto r = run_arrload({"run", "--headless", "-f", scenario, "--host", host_, "-u", "3", "-r", "10",
                        "-t", "3s", "--only-summary", "--csv", dir_.file("r")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto csv = stats_row(read_file(dir_.file("r_stats.csv")), "Aggregated");
  ASSERT_GT(csv.size(), 10u);
  const double csv_rps = std::stod(csv[csv.size() - 2 - 11]);  // "Requests/s"
  // The console's Aggregated line: "... | <req/s> <failures/s>".
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(r.out, m, std::regex(R"(Aggregated[^\n|]*\|[^\n|]*\|\s+([0-9.]+))")))
      << r.out;
  EXPECT_EQ(m[1].str(), fmt::format("{:.2f}", csv_rps)) << r.out;
}

TEST_F(RunTruthTest, FailedPreflightStillWritesEveryReport) {
  const std::string scenario = dir_.write("ping.yaml", kPing);
  const std::string p = dir_.file("out/pre");
  auto r = run_arrload({"run", "--headless", "-f", scenario, "--host", host_, "-t", "5s",
                        "--health", "/__target/status/503", "--csv", p, "--json-file", p + ".json",
                        "--html", p + ".html", "--junit", p + ".xml"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("pre-flight failed"), std::string::npos) << r.err;
  auto total = stats_row(read_file(p + "_stats.csv"), "Aggregated");
  ASSERT_FALSE(total.empty()) << r.err;
  EXPECT_EQ(total[2], "0");
  EXPECT_NE(read_file(p + "_failures.csv").find("pre-flight"), std::string::npos);
  const std::string json = read_file(p + ".json");
  EXPECT_NE(json.find("\"stop_reason\":\"preflight_failed\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"name\":\"pre-flight\""), std::string::npos) << json;
  EXPECT_NE(read_file(p + ".html").find("pre-flight"), std::string::npos);
  EXPECT_NE(read_file(p + ".xml").find("<failure type=\"pre-flight\""), std::string::npos);
  EXPECT_LE(std::stol(stats_row(read_file(p + "_stats.csv"), "Aggregated")[3]), 0);
}

TEST_F(RunTruthTest, ValidateRejectsWhatRunRejects) {
  const std::string scenario =
      dir_.write("ftp.yaml", std::string("host: ftp://example.invalid\n") + kPing);
  auto v = run_arrload({"validate", "-f", scenario});
  EXPECT_EQ(v.exit_code, 2) << v.out;
  EXPECT_NE(v.err.find("invalid host URL 'ftp://example.invalid'"), std::string::npos) << v.err;
  auto r = run_arrload({"run", "--headless", "-f", scenario, "-t", "1s"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("invalid host URL 'ftp://example.invalid'"), std::string::npos) << r.err;
}

TEST_F(RunTruthTest, RangeErrorsAreReadable) {
  const std::string scenario = dir_.write("ping.yaml", kPing);
  auto r = run_arrload({"run", "--headless", "-f", scenario, "-r", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("must be greater than 0"), std::string::npos) << r.err;
  EXPECT_FALSE(std::regex_search(r.err, std::regex("[0-9]{20}"))) << r.err;
  auto u = run_arrload({"run", "--headless", "-f", scenario, "-u", "-3"});
  EXPECT_EQ(u.exit_code, 2);
  EXPECT_NE(u.err.find("--users: must be between 0 and 10000000, not -3"), std::string::npos)
      << u.err;
}

TEST_F(RunTruthTest, ExitCodeOnErrorSaysTheVerdictDecidesWhenJudged) {
  auto help = run_arrload({"run", "--help"});
  EXPECT_NE(help.out.find("the verdict's status applies instead"), std::string::npos);
  // Judged: failing requests under the error-rate budget pass, whatever the option says.
  const std::string scenario = dir_.write("some_fail.yaml", R"(
users:
  - name: Mixed
    wait: constant(0.01)
    tasks:
      - {name: ping, weight: 9, request: GET /ping}
      - {name: boom, weight: 1, request: GET /__target/status/500}
)");
  auto r =
      run_arrload({"run", "--headless", "-f", scenario, "--host", host_, "-t", "2s", "--budget",
                   "error_rate<50%", "--exit-code-on-error", "9", "--only-summary"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(RunTruthTest, UsersGivenWithAShapeProfileSayWhichWins) {
  const std::string scenario = dir_.write("shape.yaml", std::string(kPing) + R"(
shapes:
  ramp:
    - {duration: 1s, users: 2, spawn_rate: 10}
profiles:
  shaped: {shape: ramp}
  plain: {users: 4, spawn_rate: 10, run_time: 1s}
)");
  auto shaped = run_arrload({"run", "--headless", "-f", scenario, "--host", host_, "--profile",
                             "shaped", "-u", "50", "--only-summary"});
  EXPECT_EQ(shaped.exit_code, 0) << shaped.err;
  EXPECT_NE(shaped.err.find("-u/-r are ignored: profile 'shaped' runs the load shape 'ramp'"),
            std::string::npos)
      << shaped.err;
  auto plain = run_arrload({"run", "--headless", "-f", scenario, "--host", host_, "--profile",
                            "plain", "-u", "3", "--only-summary"});
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(plain.err.find("-u 3 wins over the users of profile 'plain' (4)"), std::string::npos)
      << plain.err;
}

}  // namespace
}  // namespace arrload::testing
