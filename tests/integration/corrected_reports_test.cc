// Coordinated omission end to end: the real binary against a target that stalls, a paced closed
// class and an arrival-rate class; the corrected figures in every report and in the verdict.
#include <gtest/gtest.h>

#include "harness.h"

namespace arrload::testing {
namespace {

constexpr const char* kScenario = R"(users:
  - name: Paced
    wait: constant_pacing(0.1)
    tasks:
      - {request: GET /ping}
  - name: Open
    arrival: {rate: 20, pool: 2}
    tasks:
      - {request: GET /health}
)";

// A second-long stall from the target's start: the paced users miss the starts that fall in it
// (their service times show one slow request each, about 1 in 40 over the run, under the p95),
// the arrival-rate class drops them.
TEST(CorrectedReports, AStallingTargetFailsCorrectedBudgetsTheServiceTimeHides) {
  target::Options opts;
  opts.port = 0;
  opts.latency_scale = 0;
  opts.faults.stall_seconds = 1;
  opts.faults.stall_every_seconds = 60;
  target::Server server(opts);
  server.start();
  TempDir dir;
  const std::string csv = dir.file("r");
  ProcessResult r = run_arrload({"run",
                                 "-f",
                                 dir.write("s.yaml", kScenario),
                                 "--host",
                                 "http://127.0.0.1:" + std::to_string(server.port()),
                                 "-u",
                                 "5",
                                 "-r",
                                 "100",
                                 "-t",
                                 "5s",
                                 "--headless",
                                 "--only-summary",
                                 "--csv",
                                 csv,
                                 "--json-file",
                                 dir.file("r.json"),
                                 "--budget",
                                 "GET /ping:p95<300ms",
                                 "--budget",
                                 "GET /ping:p95_service<300ms",
                                 "--budget",
                                 "dropped<1%"});
  server.stop();
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;

  // The verdict: the corrected p95 fails, the service p95 passes, so do the dropped iterations.
  const auto line = [&](const std::string& budget) {
    const std::size_t at = r.out.find(budget);
    return at == std::string::npos ? std::string() : r.out.substr(at, r.out.find('\n', at) - at);
  };
  EXPECT_NE(line("p95 < 300 ms").find("(corrected) FAIL"), std::string::npos) << r.out;
  EXPECT_NE(line("p95_service < 300 ms").find("pass"), std::string::npos) << r.out;
  EXPECT_NE(line("dropped < 1%").find("FAIL"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("corrected for coordinated omission"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Dropped iterations: "), std::string::npos) << r.out;

  // The CSV files: Locust's keeps the service times, the corrected one has more samples.
  const std::string stats = read_file(csv + "_stats.csv");
  const std::string corrected = read_file(csv + "_corrected_stats.csv");
  EXPECT_EQ(split_lines(corrected).at(0), split_lines(stats).at(0));
  const auto service_row = stats_row(stats, "/ping");
  const auto corrected_row = stats_row(corrected, "/ping");
  ASSERT_EQ(service_row.size(), 22u) << stats;
  ASSERT_EQ(corrected_row.size(), 22u) << corrected;
  EXPECT_GT(std::stoull(corrected_row[2]), std::stoull(service_row[2]));  // missed starts
  EXPECT_GT(std::stod(corrected_row[16]), 300);                           // 95%
  EXPECT_LT(std::stod(service_row[16]), 300);
  EXPECT_EQ(corrected_row[9], service_row[9]);  // requests sent per second

  const std::string json = read_file(dir.file("r.json"));
  EXPECT_NE(json.find("\"corrected\":{\"num_samples\":"), std::string::npos) << json;
  EXPECT_EQ(json.find("\"dropped_iterations\":0,"), std::string::npos) << json;
}

}  // namespace
}  // namespace arrload::testing
