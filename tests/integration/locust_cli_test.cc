// Locust's command line as users paste it, run by the real binary against the embedded target:
// --json on stdout, locust.conf discovery, -l, --show-task-ratio, positional classes, -i, -s, -P,
// --logfile, -L DEBUG and a Python locustfile.
#include <boost/json.hpp>

#include <gtest/gtest.h>

#include "integration/harness.h"

namespace arrload::testing {
namespace {

namespace json = boost::json;

using LocustCliTest = TargetTest;

// ARGS run in DIR (for ./locust.conf), with HOME set to DIR (for ~/.locust.conf) and ENV.
ProcessResult run_in(const std::string& dir, const std::vector<std::string>& args,
                     const std::vector<std::string>& env = {}) {
  std::string line = "cd '" + dir + "' && HOME='" + dir + "' exec '" + ARRLOAD_BINARY + "'";
  for (const std::string& a : args) line += " '" + a + "'";
  Arrload child("/bin/sh", {"-c", line}, env);
  return child.wait(std::chrono::seconds(60));
}

// The entries of a --json list by name, each {name: entry}.
std::map<std::string, json::object> entries_by_name(const std::string& out) {
  std::map<std::string, json::object> by_name;
  const json::value list = json::parse(out);
  for (const json::value& e : list.as_array()) {
    by_name[std::string(e.at("name").as_string())] = e.as_object();
  }
  return by_name;
}

std::int64_t sum_of(const json::value& counts) {
  std::int64_t n = 0;
  for (const auto& kv : counts.as_object()) n += kv.value().as_int64();
  return n;
}

TEST_F(LocustCliTest, JsonFlagPrintsLocustsStatsListAloneOnStdout) {
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  // --json before --headless: a flag now, it must not take --headless as its value.
  auto r = run_arrload(
      {"-f", scenario, "--host", host_, "-u", "4", "-r", "4", "-t", "3s", "--json", "--headless"});
  EXPECT_EQ(r.exit_code, 1) << r.err;  // the Breaker's requests fail
  EXPECT_LT(r.seconds, 20);
  ASSERT_EQ(r.out.rfind("[\n    {\n        \"name\": ", 0), 0u) << r.out;  // Locust's indent
  auto by_name = entries_by_name(r.out);
  ASSERT_EQ(by_name.size(), 2u) << r.out;
  const json::object& ping = by_name.at("/ping");
  const json::object& broken = by_name.at("/__target/status/500");
  EXPECT_EQ(ping.at("method").as_string(), "GET");
  for (const char* field :
       {"last_request_timestamp", "start_time", "num_requests", "num_none_requests", "num_failures",
        "total_response_time", "max_response_time", "min_response_time", "total_content_length",
        "response_times", "num_reqs_per_sec", "num_fail_per_sec"}) {
    EXPECT_TRUE(ping.contains(field)) << field;
  }
  const std::int64_t requests = ping.at("num_requests").as_int64();
  EXPECT_GT(requests, 20);
  EXPECT_EQ(ping.at("num_failures").as_int64(), 0);
  EXPECT_EQ(sum_of(ping.at("response_times")), requests);
  EXPECT_EQ(sum_of(ping.at("num_reqs_per_sec")), requests);
  EXPECT_EQ(broken.at("num_failures").as_int64(), broken.at("num_requests").as_int64());
  EXPECT_EQ(sum_of(broken.at("num_fail_per_sec")), broken.at("num_failures").as_int64());
  // The tables went to stderr.
  EXPECT_NE(r.err.find("Aggregated"), std::string::npos) << r.err;
}

TEST_F(LocustCliTest, JsonWithAFileNameSaysToUseJsonFile) {
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  auto r = run_arrload(
      {"-f", scenario, "--host", host_, "--headless", "-t", "1s", "--json", dir_.file("out.json")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--json-file " + dir_.file("out.json")), std::string::npos) << r.err;
  auto stdout_twice = run_arrload({"-f", scenario, "--headless", "--json", "--json-file", "-"});
  EXPECT_EQ(stdout_twice.exit_code, 2);
  EXPECT_NE(stdout_twice.err.find("--json-file -"), std::string::npos) << stdout_twice.err;
}

TEST_F(LocustCliTest, LocustConfFilesAreFoundWarnedAboutAndRanked) {
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  // ~/.locust.conf (HOME is the folder) < ./locust.conf < --config FILE < the command line.
  dir_.write(".locust.conf", "users = 1\nspawn-rate = 10\nrun-time = 1s\nheadless = true\n");
  dir_.write("locust.conf", "# Locust's own\nusers = 3\n\nequal-weights = true\n");
  auto r = run_in(dir_.file(""), {"-f", scenario, "--host", host_, "--json", "Pinger"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("WARNING: locust.conf:4: 'equal-weights' is a Locust option arrload does "
                       "not take; ignored"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("Options from " + dir_.file(".locust.conf")), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("3 total users"), std::string::npos) << r.err;  // ./locust.conf won

  const std::string conf = dir_.write("more.conf", "users = 2\n");
  auto more = run_in(dir_.file(""), {"-f", scenario, "--host", host_, "--config", conf, "Pinger"});
  EXPECT_EQ(more.exit_code, 0) << more.err;
  EXPECT_NE(more.err.find("2 total users"), std::string::npos) << more.err;

  auto line = run_in(dir_.file(""), {"-f", scenario, "--host", host_, "-u", "1", "Pinger"});
  EXPECT_NE(line.err.find("1 total users"), std::string::npos) << line.err;

  dir_.write("locust.conf", "users = 3\nusres = 4\n");
  auto typo = run_in(dir_.file(""), {"-f", scenario, "--host", host_});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("locust.conf:2: unknown option 'usres'"), std::string::npos) << typo.err;
}

TEST_F(LocustCliTest, ListsClassesShowsTaskRatiosAndRunsTheNamedClasses) {
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  auto list = run_arrload({"-f", scenario, "-l"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, "Available Users:\n    Pinger\n    Breaker\n");

  auto ratio = run_arrload({"-f", scenario, "--show-task-ratio"});
  EXPECT_EQ(ratio.exit_code, 0) << ratio.err;
  EXPECT_NE(ratio.out.find("\n Task ratio per User class\n"), std::string::npos) << ratio.out;
  EXPECT_NE(ratio.out.find(" 75.0       Pinger"), std::string::npos) << ratio.out;
  EXPECT_NE(ratio.out.find("   100.0      ping"), std::string::npos) << ratio.out;
  EXPECT_NE(ratio.out.find("   25.0       broken"), std::string::npos) << ratio.out;  // total

  auto ratio_json = run_arrload({"-f", scenario, "--show-task-ratio-json", "-u", "5"});
  EXPECT_EQ(ratio_json.exit_code, 0) << ratio_json.err;
  json::value v = json::parse(ratio_json.out);
  // Locust's count at -u 5: round(3.75) = 4 Pingers, round(1.25) = 1 Breaker.
  EXPECT_EQ(v.at("per_class").at("Pinger").at("ratio").as_double(), 0.8);
  EXPECT_EQ(v.at("total").at("Breaker").at("tasks").at("broken").at("ratio").as_double(), 0.2);

  auto only = run_arrload({"-f", scenario, "--host", host_, "-u", "4", "-r", "4", "-t", "2s",
                           "--headless", "--json", "Breaker"});
  EXPECT_EQ(only.exit_code, 1) << only.err;
  auto by_name = entries_by_name(only.out);
  EXPECT_EQ(by_name.count("/ping"), 0u) << only.out;
  EXPECT_EQ(by_name.count("/__target/status/500"), 1u) << only.out;

  auto unknown = run_arrload({"-f", scenario, "--host", host_, "--headless", "Nobody"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no user class 'Nobody' (its classes: Pinger, Breaker"),
            std::string::npos)
      << unknown.err;
}

TEST_F(LocustCliTest, IterationsEndTheRunAfterThatManyTasks) {
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  auto r = run_arrload({"-f",         scenario, "--host",     host_,   "-u",
                        "3",          "-r",     "100",        "-t",    "60s",
                        "--headless", "--json", "-i",         "25",    "Pinger",
                        "-s",         "5",      "--tls-cert", "c.pem", "--skip-log-setup"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(r.seconds, 20);  // not the 60 s of -t
  EXPECT_EQ(entries_by_name(r.out).at("/ping").at("num_requests").as_int64(), 25) << r.out;
  EXPECT_NE(r.err.find("Iteration limit reached (25)"), std::string::npos) << r.err;
  // Locust options arrload lacks, pasted with the rest: dropped with a warning.
  EXPECT_NE(r.err.find("WARNING: '--tls-cert c.pem' is a Locust option arrload does not take; "
                       "ignored"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("'--skip-log-setup' is a Locust option"), std::string::npos) << r.err;
}

TEST_F(LocustCliTest, LogfileAndDebugLines) {
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  const std::string log = dir_.file("logs/run.log");
  auto r =
      run_arrload({"-f", scenario, "--host", host_, "-u", "2", "-r", "2", "-t", "2s", "--headless",
                   "--only-summary", "-L", "DEBUG", "--logfile", log, "-P", "0"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const std::string text = read_file(log);
  EXPECT_EQ(r.err.find("DEBUG"), std::string::npos) << r.err;  // in the file, not on stderr
  EXPECT_NE(text.find("DEBUG: Run: host " + host_ + ", 2 users at 2/s"), std::string::npos) << text;
  EXPECT_NE(text.find("DEBUG: Spawned: Pinger: 1, Breaker: 1"), std::string::npos) << text;
  EXPECT_NE(text.find("DEBUG: GET /ping: "), std::string::npos) << text;  // per second
  // Per request.
  EXPECT_NE(text.find("DEBUG: Request GET /ping: "), std::string::npos) << text;
  EXPECT_NE(text.find(" bytes, failed: HTTPError('500 Server Error"), std::string::npos) << text;
  EXPECT_NE(text.find("DEBUG: Stopping every user (run_time)"), std::string::npos) << text;
  EXPECT_NE(text.find("INFO: Shutting down (exit code 1)"), std::string::npos) << text;

  auto info = run_arrload({"-f", scenario, "--host", host_, "-u", "1", "-t", "1s", "--headless",
                           "--only-summary", "Pinger"});
  EXPECT_EQ(info.err.find("DEBUG"), std::string::npos) << info.err;
}

TEST_F(LocustCliTest, PythonLocustfileIsPointedToTheGuide) {
  const std::string py = dir_.write("locustfile.py", "from locust import HttpUser\n");
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"-f", py, "--headless"}, {"validate", "-f", py}}) {
    auto r = run_arrload(args);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(py + ": a Python locustfile"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("docs/coming-from-locust.md"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("YAML"), r.err.find("YAML scenarios")) << r.err;  // no YAML error
  }
}

}  // namespace
}  // namespace arrload::testing
