// End to end: cookies, redirects and compressed bodies through the real binary, checked against
// what the probe server received (and, for the redirect the issue reported, the embedded target).
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "integration/harness.h"
#include "support/probe_server.h"

namespace arrload::testing {
namespace {

using test_support::ProbeServer;

long count(const std::string& csv, const std::string& name) {
  auto row = stats_row(csv, name);
  return row.empty() ? -1 : std::stol(row[2]);
}
long failures(const std::string& csv, const std::string& name) {
  auto row = stats_row(csv, name);
  return row.empty() ? -1 : std::stol(row[3]);
}

// The JSON report's entry NAME (an object; empty when there is none).
boost::json::object json_entry(const std::string& report, const std::string& name) {
  boost::json::value v = boost::json::parse(report);
  for (const auto& e : v.at("stats").as_array()) {
    if (e.at("name").as_string() == name) return e.as_object();
  }
  return {};
}
std::int64_t json_int(const boost::json::object& o, const char* key) {
  return o.contains(key) ? o.at(key).to_number<std::int64_t>() : -1;
}

class HttpRealismTest : public ::testing::Test {
 protected:
  ProcessResult run(const std::string& scenario, const std::string& users) {
    return run_arrload({"run", "--headless", "-f", dir_.write("s.yaml", scenario), "--host",
                        probe_.url(), "-u", users, "-r", "20", "-t", "2s", "--csv",
                        dir_.file("out"), "--json-file", dir_.file("out.json"), "--only-summary"});
  }
  std::string stats() const { return read_file(dir_.file("out_stats.csv")); }

  ProbeServer probe_;
  TempDir dir_;
};

TEST_F(HttpRealismTest, CookieJarPerUserAndCookiesFalse) {
  auto r = run(R"(
users:
  - name: WithJar
    fixed_count: 2
    wait: constant(0.05)
    on_start:
      - {method: POST, path: /login}
    tasks:
      - {name: jar, request: {path: /need-cookie, name: with-jar, check: {$.user: alice}}}
  - name: WithoutJar
    fixed_count: 1
    cookies: false
    wait: constant(0.05)
    on_start:
      - {method: POST, path: /login}
    tasks:
      - {name: nojar, request: {path: /need-cookie, name: without-jar, expect: [401]}}
)",
               "3");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string csv = stats();
  EXPECT_GE(count(csv, "with-jar"), 4) << csv;
  EXPECT_EQ(failures(csv, "with-jar"), 0) << csv;
  EXPECT_GE(count(csv, "without-jar"), 2) << csv;
  EXPECT_EQ(failures(csv, "without-jar"), 0) << "all 401 as expected: " << csv;
  int with = 0, without = 0;
  for (const auto& rec : probe_.received("/need-cookie")) {
    (rec.cookie == "session=s3cr3t" ? with : without) += 1;
    EXPECT_TRUE(rec.cookie.empty() || rec.cookie == "session=s3cr3t") << rec.cookie;
  }
  // A request cut off by the end of the run reached the server but is not counted.
  EXPECT_GE(with, count(csv, "with-jar"));
  EXPECT_LE(with, count(csv, "with-jar") + 2);
  EXPECT_GE(without, count(csv, "without-jar"));
  EXPECT_LE(without, count(csv, "without-jar") + 1);
}

TEST_F(HttpRealismTest, RedirectsOneSampleNamedAsTheRequest) {
  auto r = run(R"(
users:
  - name: Redirected
    wait: constant(0.05)
    tasks:
      - name: hops
        requests:
          - {path: /redirect/307, name: followed, extract: {landed: $.landed}}
          - {path: /redirect/302, name: not-followed, follow_redirects: false, expect: [302]}
          - {path: /hops/3, name: three-hops, max_redirects: 2}
          - {path: /loop, name: loop}
          - {method: POST, path: /redirect/303, name: see-other, body: x}
)",
               "1");
  EXPECT_EQ(r.exit_code, 1) << "the loop and the limit fail: " << r.out << r.err;
  const std::string csv = stats();
  const long followed = count(csv, "followed");
  EXPECT_GE(followed, 2) << csv;
  EXPECT_EQ(failures(csv, "followed"), 0) << csv;
  EXPECT_EQ(failures(csv, "not-followed"), 0) << csv;
  EXPECT_EQ(failures(csv, "three-hops"), count(csv, "three-hops")) << csv;
  EXPECT_EQ(failures(csv, "loop"), count(csv, "loop")) << csv;
  EXPECT_EQ(failures(csv, "see-other"), 0) << csv;
  EXPECT_EQ(count(csv, "/landing"), -1) << "no row per hop: " << csv;
  // The JSON report counts the redirects followed: one per request of /redirect/307, none for
  // the unfollowed one.
  const std::string report = read_file(dir_.file("out.json"));
  const auto followed_json = json_entry(report, "followed");
  EXPECT_EQ(json_int(followed_json, "redirects"), json_int(followed_json, "num_requests"))
      << report;
  EXPECT_EQ(json_int(json_entry(report, "not-followed"), "redirects"), 0) << report;
  const std::string failed = read_file(dir_.file("out_failures.csv"));
  EXPECT_NE(failed.find("TooManyRedirects: too many redirects (10)"), std::string::npos) << failed;
  EXPECT_NE(failed.find("TooManyRedirects: too many redirects (2)"), std::string::npos) << failed;
  // Each followed request, the see-other one and nothing of the unfollowed one reached /landing.
  std::size_t gets = 0, posts = 0;
  for (const auto& rec : probe_.received("/landing")) (rec.method == "GET" ? gets : posts) += 1;
  EXPECT_EQ(posts, 0u) << "303 turns the POST into a GET";
  // A request cut off by the end of the run reached the server but is not counted.
  const long landed = followed + count(csv, "see-other");
  EXPECT_GE(static_cast<long>(gets), landed);
  EXPECT_LE(static_cast<long>(gets), landed + 1);
  const long loops = static_cast<long>(probe_.received("/loop").size());
  EXPECT_GE(loops, 11 * count(csv, "loop"));
  EXPECT_LE(loops, 11 * (count(csv, "loop") + 1));
}

TEST_F(HttpRealismTest, CompressedBodiesAreCheckedDecodedAndSizedDecoded) {
  auto r = run(R"(
users:
  - name: Zipped
    wait: constant(0.05)
    tasks:
      - name: zipped
        requests:
          - {path: /gzip, check: {$.status: ok}}
          - {path: /deflate, check: {$.status: ok}}
          - {path: /br, check: {$.status: ok}}
          - {path: /bad-gzip, name: bad}
)",
               "1");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::string csv = stats();
  for (const char* name : {"/gzip", "/deflate", "/br"}) {
    SCOPED_TRACE(name);
    EXPECT_GE(count(csv, name), 2) << csv;
    EXPECT_EQ(failures(csv, name), 0) << csv;
    EXPECT_EQ(stats_row(csv, name)[8], "16.0") << "decoded size, like Locust: " << csv;
  }
  EXPECT_EQ(failures(csv, "bad"), count(csv, "bad")) << csv;
  EXPECT_NE(read_file(dir_.file("out_failures.csv")).find("ContentDecodingError: invalid gzip"),
            std::string::npos);
  for (const auto& rec : probe_.received()) EXPECT_EQ(rec.accept_encoding, "gzip, deflate, br");
  // The JSON report has both sizes: decoded (16 bytes a response) and as received (the gzip
  // bytes the probe sent).
  const auto gz = json_entry(read_file(dir_.file("out.json")), "/gzip");
  const std::int64_t n = json_int(gz, "num_requests");
  EXPECT_EQ(json_int(gz, "total_content_length"), 16 * n);
  EXPECT_EQ(
      json_int(gz, "total_wire_bytes"),
      static_cast<std::int64_t>(test_support::deflate_text(R"({"status": "ok"})", 16 + 15).size()) *
          n);
}

TEST_F(HttpRealismTest, HeaderAndTextChecksAndExtraction) {
  auto r = run(R"yaml(
users:
  - name: Former
    wait: constant(0.05)
    tasks:
      - name: form
        requests:
          - path: /page
            check:
              headers: {Content-Type: text/html, X-Trace: "*"}
              body_contains: Welcome
              body_matches: '<form>.*</form>'
            extract:
              csrf: {regex: 'name="csrf" value="([^"]+)"'}
              trace: {header: x-trace}
          - {method: POST, path: /submit, body: "csrf={{ csrf }}", expect: [200]}
          - path: /redirect/302
            name: where
            follow_redirects: false
            extract: {loc: {header: Location}}
          - {path: "/landing?trace={{ trace }}&from={{ loc }}", name: landing}
          - {path: /page, name: wrong-type, check: {headers: {Content-Type: application/json}}}
          - {path: /page, name: no-goodbye, check: {body_contains: Goodbye}}
)yaml",
               "1");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::string csv = stats();
  for (const char* name : {"/page", "/submit", "where", "landing"}) {
    EXPECT_GE(count(csv, name), 2) << name << csv;
    EXPECT_EQ(failures(csv, name), 0) << name << csv;
  }
  EXPECT_EQ(failures(csv, "wrong-type"), count(csv, "wrong-type")) << csv;
  EXPECT_EQ(failures(csv, "no-goodbye"), count(csv, "no-goodbye")) << csv;
  for (const auto& rec : probe_.received("/submit")) EXPECT_EQ(rec.body, "csrf=tok-7f3a");
  ASSERT_FALSE(probe_.received("/landing").empty());
  EXPECT_EQ(probe_.received("/landing")[0].target, "/landing?trace=t-42&from=/landing");
  const std::string failed = read_file(dir_.file("out_failures.csv"));
  EXPECT_NE(failed.find("check header Content-Type: got 'text/html; charset=utf-8', expected "
                        "application/json"),
            std::string::npos)
      << failed;
  EXPECT_NE(failed.find("check body_contains: 'Goodbye' is not in the response"), std::string::npos)
      << failed;
}

TEST_F(HttpRealismTest, FormAndMultipartBodiesAsTheServerReceivesThem) {
  dir_.write("avatar.txt", "pixels\r\nmore");
  auto r = run(R"yaml(
users:
  - name: Uploader
    wait: constant(0.05)
    tasks:
      - name: upload
        requests:
          - {method: POST, path: /login, form: {user: alice, note: "a b&c"}}
          - {method: POST, path: /upload, form: {title: "T {{ user_id }}"}, files: {avatar: avatar.txt}}
)yaml",
               "1");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto logins = probe_.received("/login");
  ASSERT_FALSE(logins.empty());
  EXPECT_EQ(logins[0].content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(logins[0].body, "user=alice&note=a%20b%26c");
  const auto uploads = probe_.received("/upload");
  ASSERT_FALSE(uploads.empty());
  const std::string b = "arrload-form-boundary-5c7e0b2d9f3a4816";
  EXPECT_EQ(uploads[0].content_type, "multipart/form-data; boundary=" + b);
  EXPECT_EQ(uploads[0].body,
            "--" + b + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nT 0\r\n--" + b +
                "\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"avatar.txt\"\r\n"
                "Content-Type: text/plain\r\n\r\npixels\r\nmore\r\n--" +
                b + "--\r\n");
}

TEST_F(HttpRealismTest, CookiesReadAndSetFromSteps) {
  auto r = run(R"yaml(
users:
  - name: Reader
    wait: constant(0.05)
    on_start:
      - {method: POST, path: /login}
    tasks:
      - name: read
        requests:
          - {path: "/landing?s={{ cookie(session) }}&none={{ cookie(none) }}", name: echo}
          - {path: /account/x, set_cookies: {consent: "yes-{{ user_id }}"}, name: consent}
)yaml",
               "1");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto echoed = probe_.received("/landing");
  ASSERT_FALSE(echoed.empty());
  EXPECT_EQ(echoed[0].target, "/landing?s=s3cr3t&none=");
  const auto account = probe_.received("/account/x");
  ASSERT_FALSE(account.empty());
  EXPECT_EQ(account[0].cookie, "acct=a1; session=s3cr3t; consent=yes-0");
}

// The issue's report: the target's /api/v1/shows answers 307 to /api/v1/shows/, and extraction
// from it failed every time.
class TargetRedirectTest : public TargetTest {};

TEST_F(TargetRedirectTest, ExtractionThroughTheTargetsSlashRedirect) {
  std::string scenario = dir_.write("shows.yaml", R"(
users:
  - name: Browser
    wait: constant(0.05)
    tasks:
      - name: detail
        requests:
          - {path: /api/v1/shows, extract: {show_id: "$.series[*].id"}}
          - {path: "/api/v1/shows/{{ show_id }}", name: "/api/v1/shows/[id]", expect: [200]}
)");
  auto r = run_arrload({"run", "--headless", "-f", scenario, "--host", host_, "-u", "1", "-t", "2s",
                        "--csv", dir_.file("shows"), "--only-summary"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string csv = read_file(dir_.file("shows_stats.csv"));
  EXPECT_GE(count(csv, "/api/v1/shows/[id]"), 2) << csv;
  EXPECT_EQ(failures(csv, "/api/v1/shows"), 0) << csv;
  EXPECT_EQ(count(csv, "/api/v1/shows/"), -1) << "the redirect's target has no row: " << csv;
}

}  // namespace
}  // namespace arrload::testing
