// Run-to-run comparison end to end (docs/compare.md): the real binary runs a scenario against
// the embedded target twice alike, then once with 50 ms added to the read routes only;
// `arrload compare` and `run --baseline` must flag exactly the read endpoints, and pass the
// runs that differ only by the machine's noise.
#include <set>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "harness.h"

namespace arrload::testing {
namespace {

namespace json = boost::json;

// Three health routes and three read routes (the target's route groups), drawn alike.
constexpr const char* kScenario = R"(users:
  - name: U
    wait: constant(0.01)
    tasks:
      - {category: health, request: GET /health}
      - {category: health, request: GET /ping}
      - {category: health, request: GET /health/live}
      - {category: read, request: GET /api/v1/shows/}
      - {category: read, request: GET /api/v1/movies/}
      - {category: read, request: GET /api/v1/downloads/queue}
)";

const std::set<std::string> kReadEndpoints = {"GET /api/v1/shows/", "GET /api/v1/movies/",
                                              "GET /api/v1/downloads/queue"};

// Budgets well above what a busy machine's scheduling does to loopback times and under the
// 50 ms injected. On a 2-core machine at a load of 15, a run's p95 moved by 13 ms and a health
// route's median by 8 ms (its threads then wake from idle more often) with nothing injected;
// the median of a read route moves by the 50 ms whatever the machine does, so p50 decides.
const std::vector<std::string> kBudgets = {"--max-regression", "p50:+25ms",
                                           "--max-regression", "p95:+40ms",
                                           "--max-regression", "error_rate:+2pp"};

class CompareRunsTest : public TargetTest {
 protected:
  // A 5 s run writing NAME.json, the CSV prefix NAME and NAME.html; EXTRA appended.
  ProcessResult run(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run",
                                     "-f",
                                     scenario_,
                                     "--host",
                                     host_,
                                     "-u",
                                     "6",
                                     "-r",
                                     "100",
                                     "-t",
                                     "5s",
                                     "--headless",
                                     "--only-summary",
                                     "--json-file",
                                     dir_.file(name + ".json"),
                                     "--csv",
                                     dir_.file(name),
                                     "--html",
                                     dir_.file(name + ".html"),
                                     "--no-preflight",
                                     "--recovery-wait",
                                     "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_arrload(args, std::chrono::milliseconds(0), SIGTERM, std::chrono::seconds(60));
  }
  ProcessResult compare(const std::string& base, const std::string& next,
                        std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"compare", base, next};
    args.insert(args.end(), kBudgets.begin(), kBudgets.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return run_arrload(args, std::chrono::milliseconds(0), SIGTERM, std::chrono::seconds(30));
  }
  // The subjects of the failed checks in compare's --json output, Aggregated left out.
  std::set<std::string> failed_endpoints(const std::string& path) {
    std::set<std::string> out;
    const json::value doc = json::parse(read_file(path));
    for (const json::value& c : doc.at("checks").as_array()) {
      const std::string subject(c.at("subject").as_string());
      if (!c.at("pass").as_bool() && subject != "Aggregated") out.insert(subject);
    }
    return out;
  }

  std::string scenario_ = dir_.write("s.yaml", kScenario);
};

TEST_F(CompareRunsTest, FlagsExactlyTheSlowedCategoryAndPassesARepeat) {
  ProcessResult base = run("base");
  ASSERT_EQ(base.exit_code, 0) << base.out << base.err;

  // The same settings again, gated on the baseline at its end: no regression.
  std::vector<std::string> gate = {"--baseline", dir_.file("base.json")};
  gate.insert(gate.end(), kBudgets.begin(), kBudgets.end());
  ProcessResult same = run("same", gate);
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("Baseline comparison"), std::string::npos) << same.out;
  ProcessResult c = compare(dir_.file("base.json"), dir_.file("same.json"),
                            {"--json", dir_.file("same_cmp.json")});
  EXPECT_EQ(c.exit_code, 0) << c.out << c.err;
  EXPECT_NE(c.out.find("PASS ("), std::string::npos) << c.out;
  EXPECT_EQ(failed_endpoints(dir_.file("same_cmp.json")), std::set<std::string>{});
  // The CSV files compare the same way.
  c = compare(dir_.file("base"), dir_.file("same"));
  EXPECT_EQ(c.exit_code, 0) << c.out << c.err;

  // 50 ms more on the read routes only, through the admin endpoint's knob.
  const std::string knob = R"({"added_latency_read_ms":50})";
  ASSERT_EQ(http(server_->port(), "PUT", "/__target/faults", knob,
                 "Content-Length: " + std::to_string(knob.size()) + "\r\n")
                .status,
            200);
  ProcessResult slow = run("slow", gate);
  EXPECT_EQ(slow.exit_code, 3) << slow.out << slow.err;
  EXPECT_NE(slow.out.find("baseline"), std::string::npos) << slow.out;
  EXPECT_NE(slow.out.find("FAIL ("), std::string::npos) << slow.out;
  const std::string html = read_file(dir_.file("slow.html"));
  EXPECT_NE(html.find("<table id=\"baseline-table\">"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"#baseline\">Baseline</a>"), std::string::npos);
  for (const std::string& e : kReadEndpoints) EXPECT_NE(html.find(e), std::string::npos) << e;
  const std::string verdict = read_file(dir_.file("slow.json"));
  EXPECT_NE(verdict.find("{\"name\":\"baseline\",\"pass\":false"), std::string::npos) << verdict;

  c = compare(dir_.file("base.json"), dir_.file("slow.json"),
              {"--json", dir_.file("slow_cmp.json"), "--junit", dir_.file("slow_cmp.xml")});
  EXPECT_EQ(c.exit_code, 3) << c.out << c.err;
  EXPECT_EQ(failed_endpoints(dir_.file("slow_cmp.json")), kReadEndpoints) << c.out;
  const std::string xml = read_file(dir_.file("slow_cmp.xml"));
  EXPECT_NE(xml.find("<failure type=\"regression\" message=\"GET /api/v1/shows/: p95"),
            std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("message=\"GET /ping"), std::string::npos) << xml;
  c = compare(dir_.file("base"), dir_.file("slow"));
  EXPECT_EQ(c.exit_code, 3) << c.out << c.err;
}

TEST(CompareCommand, BadInputIsAUsageError) {
  TempDir dir;
  const std::string report = dir.write("r.json", "{\"stats\": 1}");
  ProcessResult r = run_arrload({"compare", dir.file("r.json"), dir.file("nothing")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir.file("r.json") + ": the report: no field 'duration_s'"),
            std::string::npos)
      << r.err;
  r = run_arrload({"compare", dir.file("nothing"), dir.file("r.json")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir.file("nothing_stats.csv") + " does not exist"), std::string::npos)
      << r.err;
  r = run_arrload({"compare", report, report, "--max-regression", "p95:-10%"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad regression budget 'p95:-10%': p95 regresses upwards"),
            std::string::npos)
      << r.err;
  r = run_arrload({"run", "-f", dir.write("s.yaml", kScenario), "--host", "http://127.0.0.1:9",
                   "--headless", "-t", "1s", "--max-regression", "p95:+10%"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--max-regression needs --baseline"), std::string::npos) << r.err;
  r = run_arrload({"run", "-f", dir.file("s.yaml"), "--host", "http://127.0.0.1:9", "--headless",
                   "-t", "1s", "--baseline", dir.file("gone.json")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--baseline: " + dir.file("gone.json") + ": no such report"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace arrload::testing
