#include "scenario/json_path.h"

#include <set>
#include <stdexcept>

#include <gtest/gtest.h>

namespace arrload::scenario {
namespace {

constexpr std::string_view kShows = R"({
  "series": [
    {"id": 11, "title": "Breaking Bad", "monitored": true, "rating": 9.5, "tags": ["a", "b"]},
    {"id": 12, "title": "Dune \"Part\"", "monitored": false, "rating": null, "tags": []},
    {"id": 13, "title": "The Wire", "monitored": true, "rating": 1.5E0, "tags": {"k": 1}}
  ],
  "total": 3,
  "field with spaces": "yes",
  "big": 18446744073709551615
})";

class JsonPathTest : public ::testing::Test {
 protected:
  std::optional<std::string> get(std::string_view path, std::string_view body = kShows) {
    return extract_json(body, path, rng_);
  }
  core::Rng rng_{1};
};

TEST_F(JsonPathTest, MembersAndIndices) {
  EXPECT_EQ(get("$.total"), "3");
  EXPECT_EQ(get("$.series[0].id"), "11");
  EXPECT_EQ(get("$.series[0].title"), "Breaking Bad");
  EXPECT_EQ(get("$.series[-1].title"), "The Wire");
  EXPECT_EQ(get("$.series[-3].id"), "11");
  EXPECT_EQ(get("$[\"field with spaces\"]"), "yes");
  EXPECT_EQ(get("$['series'][1]['id']"), "12");
}

TEST_F(JsonPathTest, ValueKinds) {
  EXPECT_EQ(get("$.series[1].title"), "Dune \"Part\"");  // unquoted, unescaped
  EXPECT_EQ(get("$.series[0].monitored"), "true");
  EXPECT_EQ(get("$.series[1].monitored"), "false");
  EXPECT_EQ(get("$.series[0].rating"), "9.5");
  EXPECT_EQ(get("$.series[2].rating"), "1.5");
  EXPECT_EQ(get("$.big"), "18446744073709551615");
  EXPECT_EQ(get("$.series[0].tags"), R"(["a","b"])");
  EXPECT_EQ(get("$.series[2].tags"), R"({"k":1})");
  EXPECT_EQ(get("$.series[1].rating"), std::nullopt);  // null counts as no value
  EXPECT_EQ(get("$", "\"whole\""), "whole");
}

TEST_F(JsonPathTest, WildcardPicksEveryElementEventually) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) seen.insert(get("$.series[*].id").value_or("none"));
  EXPECT_EQ(seen, (std::set<std::string>{"11", "12", "13"}));
}

TEST_F(JsonPathTest, NoMatchGivesNullopt) {
  EXPECT_EQ(get("$.missing"), std::nullopt);
  EXPECT_EQ(get("$.series[3]"), std::nullopt);
  EXPECT_EQ(get("$.series[-4]"), std::nullopt);
  EXPECT_EQ(get("$.series[1].tags[*]"), std::nullopt);  // empty array
  EXPECT_EQ(get("$.total.x"), std::nullopt);            // member of a number
  EXPECT_EQ(get("$.series.id"), std::nullopt);          // member of an array
  EXPECT_EQ(get("$.total[0]"), std::nullopt);           // index into a number
  EXPECT_EQ(get("$.total", "not json"), std::nullopt);
  EXPECT_EQ(get("$.total", "{\"total\": 1"), std::nullopt);
  EXPECT_EQ(get("$.total", ""), std::nullopt);
  EXPECT_EQ(get("total"), std::nullopt);  // malformed path
}

TEST(JsonPathValidate, AcceptsTheSupportedSyntax) {
  for (const char* ok : {"$", "$.a", "$.a.b[0]", "$[-1]", "$[*].id", "$[\"a b\"]", "$['x.y']"}) {
    EXPECT_NO_THROW(validate_json_path(ok)) << ok;
  }
}

TEST(JsonPathValidate, RejectsWithPosition) {
  struct Case {
    const char* path;
    const char* message;
  } cases[] = {
      {"", "a path starts with '$'"}, {"series[0]", "a path starts with '$'"},
      {"$.", "empty member name"},    {"$..a", "empty member name"},
      {"$[0", "expected ']'"},        {"$[x]", "expected an index"},
      {"$[\"a]", "unclosed quote"},   {"$a", "unexpected 'a'"},
      {"$[*", "expected ']'"},
  };
  for (const Case& c : cases) {
    try {
      validate_json_path(c.path);
      ADD_FAILURE() << "no error for " << c.path;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos)
          << c.path << " -> " << e.what();
    }
  }
}

}  // namespace
}  // namespace arrload::scenario
