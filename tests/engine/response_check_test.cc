#include "engine/response_check.h"

#include <gtest/gtest.h>

namespace arrload::engine {
namespace {

scenario::Request with_checks(std::vector<scenario::BodyCheck> checks) {
  scenario::Request r;
  r.checks = std::move(checks);
  return r;
}

TEST(CheckBody, PassesWhenEveryPathMatches) {
  core::Rng rng(1);
  std::string message = "untouched";
  auto req = with_checks({{"$.status", {"healthy", "degraded"}}, {"$.services", {}}});
  EXPECT_FALSE(check_body(req, R"({"status":"degraded","services":{"a":1}})", rng, message));
  EXPECT_EQ(message, "untouched");
}

TEST(CheckBody, WrongValueNamesPathValueAndExpected) {
  core::Rng rng(1);
  std::string message;
  auto req = with_checks({{"$.status", {"healthy", "degraded"}}});
  EXPECT_TRUE(check_body(req, R"({"status":"unhealthy"})", rng, message));
  EXPECT_EQ(message, "check $.status: got 'unhealthy', expected healthy, degraded");
}

TEST(CheckBody, MissingValueOrNotJsonFails) {
  core::Rng rng(1);
  std::string message;
  auto req = with_checks({{"$.audit_id", {}}});
  EXPECT_TRUE(check_body(req, R"({"id":3})", rng, message));
  EXPECT_EQ(message, "check $.audit_id: no value in the response");
  EXPECT_TRUE(check_body(req, "<html>", rng, message));
}

TEST(CheckBody, NumbersCompareAsJsonTextAndLongValuesAreCut) {
  core::Rng rng(1);
  std::string message;
  EXPECT_FALSE(check_body(with_checks({{"$.n", {"3"}}}), R"({"n":3})", rng, message));
  std::string long_value(200, 'x');
  EXPECT_TRUE(
      check_body(with_checks({{"$.s", {"y"}}}), R"({"s":")" + long_value + R"("})", rng, message));
  EXPECT_LT(message.size(), 120u);
  EXPECT_NE(message.find("..."), std::string::npos);
}

}  // namespace
}  // namespace arrload::engine
