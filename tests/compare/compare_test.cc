#include "compare/compare.h"

#include <gtest/gtest.h>

#include "compare/html.h"
#include "compare/output.h"

namespace arrload::compare {
namespace {

// Uniform response times on [LO, HI] ms, N samples.
Distribution uniform(double lo, double hi, std::uint64_t n) {
  Distribution d;
  d.samples = n;
  d.avg_ms = (lo + hi) / 2;
  d.points = {{0.0, lo}, {0.5, (lo + hi) / 2}, {0.95, lo + 0.95 * (hi - lo)}, {1.0, hi}};
  return d;
}

Endpoint endpoint(const std::string& key_method, const std::string& name,
                  const std::string& category, std::uint64_t n, std::uint64_t failed, double lo,
                  double hi, double duration = 10) {
  Endpoint e;
  e.method = key_method;
  e.name = name;
  e.category = category;
  e.requests = n;
  e.failures = failed;
  e.rps = static_cast<double>(n) / duration;
  e.service = uniform(lo, hi, n);
  return e;
}

RunData run(std::vector<Endpoint> endpoints, const std::string& source) {
  RunData r;
  r.source = source;
  r.duration_s = 10;
  r.endpoints = std::move(endpoints);
  std::uint64_t n = 0, f = 0;
  for (const Endpoint& e : r.endpoints) {
    n += e.requests;
    f += e.failures;
  }
  r.aggregated = endpoint("", "Aggregated", "", n, f, 1, 3);
  return r;
}

const Check* check(const Comparison& c, const std::string& subject) {
  for (const Check& k : c.checks) {
    if (k.subject == subject) return &k;
  }
  return nullptr;
}

TEST(Compare, DeltasAndNewAndVanishedEndpoints) {
  const RunData base = run({endpoint("GET", "/a", "read", 1000, 0, 1, 3),
                            endpoint("GET", "/gone", "read", 100, 0, 1, 3)},
                           "base.json");
  const RunData next = run({endpoint("GET", "/a", "read", 1000, 10, 51, 53),
                            endpoint("POST", "/new", "write", 100, 0, 1, 3)},
                           "new.json");
  const Comparison c = compare(base, next, {});
  EXPECT_EQ(c.vanished, std::vector<std::string>{"GET /gone"});
  EXPECT_EQ(c.added, std::vector<std::string>{"POST /new"});
  ASSERT_EQ(c.rows.size(), 2u);  // GET /a, Aggregated
  EXPECT_EQ(c.rows[0].key, "GET /a");
  EXPECT_EQ(c.rows[1].key, "Aggregated");
  // rps, error_rate, p50, p95, p99
  ASSERT_EQ(c.rows[0].changes.size(), 5u);
  const Change& p50 = c.rows[0].changes[2];
  EXPECT_EQ(p50.figure.name(), "p50");
  EXPECT_DOUBLE_EQ(p50.base, 2);
  EXPECT_DOUBLE_EQ(p50.next, 52);
  EXPECT_DOUBLE_EQ(p50.delta, 50);
  EXPECT_DOUBLE_EQ(*p50.relative, 25);
  EXPECT_FALSE(p50.within_noise);
  EXPECT_EQ(p50.describe_delta(), "+50.0 ms (+2500.0%)");
  const Change& errors = c.rows[0].changes[1];
  EXPECT_DOUBLE_EQ(errors.delta, 0.01);
  EXPECT_EQ(errors.describe_delta(), "+1.00pp");
  EXPECT_EQ(c.summary(), "no regression budget (--max-regression): not judged");
  EXPECT_EQ(c.exit_code(), 0);
}

TEST(Compare, CorrectedRowsShowTheServiceTimesBeside) {
  Endpoint a = endpoint("GET", "/open", "", 100, 0, 1, 3);
  a.corrected = uniform(1, 30, 120);
  const Comparison c = compare(run({a}, "b"), run({a}, "n"), {});
  ASSERT_EQ(c.rows[0].changes.size(), 8u);
  EXPECT_EQ(c.rows[0].changes[4].figure.name(), "p99");
  EXPECT_DOUBLE_EQ(c.rows[0].changes[2].base, a.corrected->at(0.5));  // judged: corrected
  EXPECT_EQ(c.rows[0].changes[5].figure.name(), "p50_service");
  EXPECT_DOUBLE_EQ(c.rows[0].changes[5].base, 2);
}

// A budget fails only when the change is over it AND outside the noise.
TEST(Compare, BudgetsFailOnlyBeyondTheNoise) {
  const RunData base = run({endpoint("GET", "/slow", "read", 1000, 0, 1, 3),
                            endpoint("GET", "/few", "read", 20, 0, 1, 3),
                            endpoint("GET", "/health", "health", 1000, 0, 1, 3)},
                           "b");
  // /slow: +50 ms on 1000 samples; /few: +0.5 ms (+25%) on 20 samples; /health unchanged.
  const RunData next = run({endpoint("GET", "/slow", "read", 1000, 0, 51, 53),
                            endpoint("GET", "/few", "read", 20, 0, 1.5, 3.5),
                            endpoint("GET", "/health", "health", 1000, 0, 1, 3)},
                           "n");
  const Comparison c = compare(base, next, {parse_rule("read:p50:+10%")});
  ASSERT_EQ(c.checks.size(), 2u);
  const Check* slow = check(c, "GET /slow");
  ASSERT_NE(slow, nullptr);
  EXPECT_TRUE(slow->exceeded);
  EXPECT_FALSE(slow->pass);
  EXPECT_EQ(slow->exit_code(), 3);
  const Check* few = check(c, "GET /few");
  ASSERT_NE(few, nullptr);
  EXPECT_TRUE(few->exceeded);
  EXPECT_TRUE(few->change.within_noise);
  EXPECT_TRUE(few->pass);
  EXPECT_EQ(few->describe(), "+0.50 ms (+25.0%), allowed +10%, within noise");
  EXPECT_EQ(c.summary(),
            "FAIL (1 of 2 checks failed; 1 over budget but within noise; exit status 3)");
  EXPECT_EQ(c.exit_code(), 3);
}

TEST(Compare, ErrorRateHasItsOwnStatusAndTheLowestWins) {
  const RunData base = run({endpoint("GET", "/a", "read", 10'000, 0, 1, 3)}, "b");
  const RunData errors = run({endpoint("GET", "/a", "read", 10'000, 500, 1, 3)}, "n");
  Comparison c = compare(base, errors, {parse_rule("GET /a:error_rate:+0.5pp")});
  ASSERT_EQ(c.checks.size(), 1u);
  EXPECT_FALSE(c.checks[0].pass);
  EXPECT_EQ(c.exit_code(), 4);
  // Within the budget: 5 points over 0.5 allowed fails, 10 points allowed passes.
  EXPECT_TRUE(compare(base, errors, {parse_rule("error_rate:+10pp")}).pass());
  const RunData both = run({endpoint("GET", "/a", "read", 10'000, 500, 101, 103)}, "n");
  c = compare(base, both, {parse_rule("error_rate:+0.5pp"), parse_rule("p95:+10ms")});
  EXPECT_EQ(c.exit_code(), 3);
}

TEST(Compare, ThroughputRegressesDownwards) {
  const RunData base = run({endpoint("GET", "/a", "", 10'000, 0, 1, 3)}, "b");
  const RunData slower = run({endpoint("GET", "/a", "", 5'000, 0, 1, 3)}, "n");
  const RunData faster = run({endpoint("GET", "/a", "", 20'000, 0, 1, 3)}, "n");
  EXPECT_EQ(compare(base, slower, {parse_rule("run:rps:-10%")}).exit_code(), 3);
  EXPECT_TRUE(compare(base, faster, {parse_rule("run:rps:-10%")}).pass());
  EXPECT_TRUE(compare(base, slower, {parse_rule("rps:-600/s")}).pass());
  // "run" is the Aggregated row alone.
  EXPECT_EQ(compare(base, slower, {parse_rule("run:rps:-10%")}).checks.size(), 1u);
  EXPECT_EQ(compare(base, slower, {parse_rule("rps:-10%")}).checks.size(), 2u);
}

TEST(Compare, AScopeThatMatchesNothingIsAnError) {
  const RunData base = run({endpoint("GET", "/a", "read", 10, 0, 1, 3)}, "b");
  try {
    compare(base, base, {parse_rule("raed:p95:+10%")});
    ADD_FAILURE() << "accepted";
  } catch (const RuleError& e) {
    EXPECT_NE(std::string(e.what()).find("'raed' is no endpoint, name or category"),
              std::string::npos)
        << e.what();
  }
  // By method and name, by name alone, by category.
  for (const char* scope : {"GET /a", "/a", "read"}) {
    EXPECT_EQ(compare(base, base, {parse_rule(std::string(scope) + ":p95:+10%")}).checks.size(), 1u)
        << scope;
  }
}

TEST(CompareOutput, JunitCarriesTheFailures) {
  const RunData base = run({endpoint("GET", "/a&b", "read", 1000, 0, 1, 3),
                            endpoint("GET", "/ok", "health", 1000, 0, 1, 3)},
                           "b.json");
  const RunData next = run({endpoint("GET", "/a&b", "read", 1000, 0, 51, 53),
                            endpoint("GET", "/ok", "health", 1000, 0, 1, 3)},
                           "n.json");
  const Comparison c = compare(base, next, {parse_rule("p95:+20ms")});
  const std::string xml = junit_xml(c);
  EXPECT_NE(xml.find("<testsuites name=\"arrload compare\" tests=\"3\" failures=\"1\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"regression.read\" name=\"GET /a&amp;b p95:+20ms\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"regression.health\" name=\"GET /ok p95:+20ms\" "
                     "time=\"0\"/>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<failure type=\"regression\" message=\"GET /a&amp;b: p95 went from 2.9 ms "
                     "to 53 ms: +50.0 ms (+1724.1%), allowed +20 ms\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("classname=\"regression.run\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<property name=\"baseline\" value=\"b.json\"/>"), std::string::npos);
  const std::string table = comparison_table(c);
  EXPECT_NE(table.find("FAIL (1 of 3 checks failed; exit status 3)"), std::string::npos) << table;
  const std::string json = comparison_json(c);
  EXPECT_NE(json.find("\"pass\":false,\"exit_code\":3"), std::string::npos) << json;
}

TEST(CompareOutput, HtmlSectionShowsBothRunsAndTheChecks) {
  const RunData base = run({endpoint("GET", "/<b>", "read", 1000, 0, 1, 3),
                            endpoint("GET", "/gone", "read", 10, 0, 1, 3)},
                           "base.json");
  const RunData next = run({endpoint("GET", "/<b>", "read", 1000, 0, 51, 53)}, "new.json");
  const std::string html = html_section(compare(base, next, {parse_rule("read:p50:+10ms")}));
  EXPECT_EQ(html.rfind("<section id=\"baseline\"><h2>Baseline comparison</h2>", 0), 0u) << html;
  EXPECT_NE(html.find("<span class=\"badge fail\">FAIL (1 of 1 checks failed; exit status 3)"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<td class=\"name\">GET /&lt;b&gt;</td><td>rps</td>"), std::string::npos)
      << html;
  EXPECT_NE(html.find("<td>p50</td><td class=\"n\">2 ms</td><td class=\"n\">52 ms</td>"),
            std::string::npos)
      << html;
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("Vanished endpoints (only in the baseline): GET /gone"), std::string::npos);
  EXPECT_NE(html.find("<td>read:p50:+10ms</td><td class=\"fail\">FAIL</td>"), std::string::npos)
      << html;
  EXPECT_NE(html_section(compare(base, next, {})).find("No regression budget was given"),
            std::string::npos);
}

}  // namespace
}  // namespace arrload::compare
