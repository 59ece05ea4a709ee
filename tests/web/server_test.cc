// The web UI's security defaults (docs/reliability.md, "Security defaults"): the login guards
// every route of api.cc's table, compared in constant time; exposure without a login warns.
#include "web/server.h"

#include <string>

#include <gtest/gtest.h>

#include "integration/harness.h"
#include "support/ports.h"
#include "web/api.h"

namespace arrload::web {
namespace {

using namespace std::chrono_literals;
using arrload::testing::Arrload;
using arrload::testing::http;
using arrload::testing::Reply;

TEST(WebAuthorized, OnlyTheExactBasicFieldPasses) {
  const std::string login = "ann:secret";
  EXPECT_TRUE(authorized("Basic YW5uOnNlY3JldA==", login));
  EXPECT_FALSE(authorized("", login));
  EXPECT_FALSE(authorized("Basic YW5uOndyb25n", login));      // ann:wrong
  EXPECT_FALSE(authorized("Basic YW5uOnNlY3JldDE=", login));  // ann:secret1
  EXPECT_FALSE(authorized("Basic YW5uOnNlY3JldA", login));    // a prefix of the right one
  EXPECT_FALSE(authorized("basic YW5uOnNlY3JldA==", login));
  EXPECT_FALSE(authorized("Bearer YW5uOnNlY3JldA==", login));
}

TEST(WebExposure, WarnsBeyondLoopbackWithoutALogin) {
  for (const char* host : {"0.0.0.0", "::", "192.0.2.1", "10.1.2.3", "2001:db8::1"}) {
    ServerOptions o;
    o.host = host;
    const std::string warning = exposure_warning(o);
    EXPECT_NE(warning.find("without a login"), std::string::npos) << host;
    EXPECT_NE(warning.find(host), std::string::npos) << host;
    o.login = "ann:secret";
    EXPECT_EQ(exposure_warning(o), "") << host;
  }
  for (const char* host : {"127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"}) {
    ServerOptions o;
    o.host = host;
    EXPECT_EQ(exposure_warning(o), "") << host;
  }
  EXPECT_EQ(ServerOptions{}.host, "127.0.0.1");  // the default stays on this machine
}

// `arrload run` without --headless warns before it listens: with an address of no interface
// here (TEST-NET-1) it warns and then fails to listen, so nothing is exposed by the test.
TEST(WebExposure, TheRunCommandWarnsForAnExposedUi) {
  arrload::testing::TempDir dir;
  const std::string scenario =
      dir.write("ping.yaml", "users:\n  - name: P\n    tasks:\n      - request: GET /ping\n");
  auto r = arrload::testing::run_arrload({"run", "-f", scenario, "--host", "http://127.0.0.1:1",
                                          "--web-host", "192.0.2.1", "--web-port", "0"},
                                         0ms, SIGTERM, 30s);
  EXPECT_NE(r.err.find("WARNING: the web UI listens on 192.0.2.1"), std::string::npos) << r.err;
  EXPECT_NE(r.exit_code, 0);
  auto with_login = arrload::testing::run_arrload(
      {"run", "-f", scenario, "--host", "http://127.0.0.1:1", "--web-host", "192.0.2.1",
       "--web-port", "0", "--web-login", "a:b"},
      0ms, SIGTERM, 30s);
  EXPECT_EQ(with_login.err.find("WARNING"), std::string::npos) << with_login.err;
  // The default host is loopback, and --help says so.
  auto help = arrload::testing::run_arrload({"run", "--help"}, 0ms, SIGTERM, 30s);
  EXPECT_NE(help.out.find("127.0.0.1"), std::string::npos);
}

// Every route of the UI's table (read from the code, so a route added later is covered), an
// unknown path and HEAD: 401 with WWW-Authenticate without the login or with a wrong one, and
// answered with it.
class WebLoginTest : public arrload::testing::TargetTest {};

TEST_F(WebLoginTest, EveryRouteNeedsTheLogin) {
  const unsigned short port = test_ports::unused_loopback_port();
  const std::string scenario =
      dir_.write("ping.yaml", "users:\n  - name: P\n    tasks:\n      - request: GET /ping\n");
  Arrload ui({"run", "-f", scenario, "--host", host_, "--web-port", std::to_string(port),
              "--web-login", "ann:secret", "--csv", dir_.file("ui")});
  const std::string right = "Authorization: Basic YW5uOnNlY3JldA==\r\n";  // ann:secret
  const std::string wrong_headers[] = {
      "",
      "Authorization: Basic YW5uOndyb25n\r\n",       // ann:wrong
      "Authorization: Basic YW5uOnNlY3JldTE=\r\n",   // ann:secreu1 (same length, one off)
      "Authorization: Basic YW5uOnNlY3JldA=\r\n",    // truncated
      "Authorization: Bearer YW5uOnNlY3JldA==\r\n",  // another scheme
  };
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (http(port, "GET", "/", "", right).status != 200 &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(50ms);
  }
  std::vector<RouteName> routes = route_names();
  ASSERT_GE(routes.size(), 10u);
  routes.push_back({"/no/such/route", "GET"});
  routes.push_back({"/stats/requests", "HEAD"});
  for (const RouteName& route : routes) {
    const std::string method(route.method), path(route.path);
    for (const std::string& headers : wrong_headers) {
      Reply r = http(port, method, path, "", headers);
      EXPECT_EQ(r.status, 401) << method << " " << path << " with [" << headers << "]";
      EXPECT_NE(r.headers.find("WWW-Authenticate: Basic"), std::string::npos) << path;
      EXPECT_EQ(r.body.find("\"stats\""), std::string::npos) << path;
    }
    Reply ok = http(port, method, path, "", right);
    EXPECT_NE(ok.status, 401) << method << " " << path;
    EXPECT_NE(ok.status, 0) << method << " " << path;
  }
  ui.signal(SIGINT);
  auto r = ui.wait(0ms, SIGTERM, 30s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace arrload::web
