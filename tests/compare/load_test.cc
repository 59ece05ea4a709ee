#include "compare/load.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "report/csv.h"
#include "report/json.h"
#include "support/snapshots.h"

namespace arrload::compare {
namespace {

// The reading of a JSON report: every figure the comparison uses, as written.
TEST(LoadRun, JsonReportAsWritten) {
  const RunData run = run_from_json(
      report::json_report(test_support::two_endpoints_snapshot(), report::RunInfo{}), "r.json");
  EXPECT_EQ(run.source, "r.json");
  EXPECT_DOUBLE_EQ(run.duration_s, 10);
  ASSERT_EQ(run.endpoints.size(), 2u);
  const Endpoint* b = run.find("GET /b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->requests, 4u);
  EXPECT_EQ(b->failures, 0u);
  EXPECT_DOUBLE_EQ(b->rps, 0.4);
  EXPECT_EQ(b->service.samples, 4u);
  EXPECT_DOUBLE_EQ(b->service.avg_ms, 3.75);
  EXPECT_DOUBLE_EQ(b->service.at(0), 1.5);
  EXPECT_DOUBLE_EQ(b->service.at(1), 6);
  EXPECT_NEAR(b->service.at(0.5), 3.0, 0.01);
  EXPECT_FALSE(b->corrected.has_value());
  EXPECT_DOUBLE_EQ(run.find("POST /a")->error_rate(), 1.0);
  EXPECT_EQ(run.aggregated.key(), "Aggregated");
  EXPECT_EQ(run.aggregated.requests, 5u);
}

// A scheduled endpoint's corrected times come along; an unscheduled one has none of its own.
TEST(LoadRun, CorrectedTimesFromJsonAndCsvAgree) {
  const stats::Snapshot snap = test_support::scheduled_snapshot();
  const RunData json = run_from_json(report::json_report(snap, report::RunInfo{}), "r.json");
  const RunData csv = run_from_csv(report::stats_csv(snap), "p_stats.csv",
                                   report::corrected_stats_csv(snap), "p_corrected_stats.csv");
  for (const RunData* run : {&json, &csv}) {
    const Endpoint* open = run->find("GET /open");
    ASSERT_NE(open, nullptr) << run->source;
    ASSERT_TRUE(open->corrected.has_value()) << run->source;
    EXPECT_EQ(open->corrected->samples, 6u) << run->source;
    EXPECT_NEAR(open->corrected->at(1), 150, 0.5) << run->source;
    EXPECT_NEAR(open->service.at(1), 2, 0.01) << run->source;
    EXPECT_NEAR(open->judged().at(1), 150, 0.5) << run->source;
    EXPECT_FALSE(run->find("GET /closed")->corrected.has_value()) << run->source;
    EXPECT_EQ(run->aggregated.requests, 7u) << run->source;
  }
  EXPECT_NEAR(csv.duration_s, 10, 0.01);
}

TEST(LoadRun, FilesByPathJsonOrCsvPrefix) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "arrload_load_run";
  std::filesystem::create_directories(dir);
  const stats::Snapshot snap = test_support::scheduled_snapshot();
  std::ofstream(dir / "r.json") << report::json_report(snap, report::RunInfo{});
  report::write_final_csv((dir / "run").string(), snap);
  EXPECT_EQ(load_run((dir / "r.json").string()).endpoints.size(), 2u);
  const RunData csv = load_run((dir / "run").string());
  EXPECT_EQ(csv.source, (dir / "run").string());
  EXPECT_TRUE(csv.find("GET /open")->corrected.has_value());
  // The stats file's own name works as well.
  EXPECT_EQ(load_run((dir / "run_stats.csv").string()).endpoints.size(), 2u);
  std::ofstream(dir / "notes.txt") << "hello";
  for (const auto& [path, expected] :
       {std::pair{dir / "missing", "(" + (dir / "missing_stats.csv").string() + " does not exist)"},
        std::pair{dir / "notes.txt", std::string("neither a JSON report")}}) {
    try {
      load_run(path.string());
      ADD_FAILURE() << path << " was read";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  }
  std::filesystem::remove_all(dir);
}

// Each broken input: the message names the file, the place and what is wrong.
TEST(LoadRun, BrokenInputsAreNamed) {
  const std::string good = report::json_report(test_support::two_endpoints_snapshot(), {});
  std::string no_requests = good;
  no_requests.replace(no_requests.find("\"num_requests\""), 14, "\"num_requestz\"");
  const std::pair<std::string, std::string> json_cases[] = {
      {"{\"stats\": [", "r.json: not valid JSON"},
      {"[]", "r.json: the report: not an object"},
      {"{\"duration_s\": 1}", "r.json: the report: no field 'stats'"},
      {no_requests, "r.json: stats[0]: no field 'num_requests'"},
  };
  for (const auto& [text, expected] : json_cases) {
    try {
      run_from_json(text, "r.json");
      ADD_FAILURE() << text;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  }
  const std::string header = report::stats_csv(test_support::two_endpoints_snapshot());
  const std::string first_line = header.substr(0, header.find('\n') + 1);
  const std::pair<std::string, std::string> csv_cases[] = {
      {"", "s.csv: empty file"},
      {"Name,Count\n", "s.csv:1: no 'Type' column"},
      {first_line + "GET,/x,1\n", "s.csv:2: 3 cells, the header has 22"},
      {first_line + "GET,/x,many,0,1,1,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1\n",
       "s.csv:2: Request Count: 'many' is not a number"},
      {first_line, "s.csv: no Aggregated row"},
  };
  for (const auto& [text, expected] : csv_cases) {
    try {
      run_from_csv(text, "s.csv", "", "c.csv");
      ADD_FAILURE() << text;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace arrload::compare
