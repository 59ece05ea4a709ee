#include "target/routes.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace arrload::target {
namespace {

TEST(ToJson, WritesFloatsLikePython) {
  const boost::json::value v = boost::json::parse(
      R"({"a":12.4,"b":72.0,"c":0.75,"e":"x\"y","f":[1,-2,3.5],"g":null,"h":true})");
  EXPECT_EQ(to_json(v),
            R"({"a":12.4,"b":72.0,"c":0.75,"e":"x\"y","f":[1,-2,3.5],"g":null,"h":true})");
}

TEST(ParseInt, AcceptsWhatFastApiAccepts) {
  EXPECT_EQ(parse_int("42"), 42);
  EXPECT_EQ(parse_int("+7"), 7);
  EXPECT_EQ(parse_int("-3"), -3);
  for (const char* bad : {"", "abc", "4x", "1.5", " 1", "99999999999999999999"}) {
    EXPECT_FALSE(parse_int(bad).has_value()) << bad;
  }
}

TEST(ValidationError, IsFastApiShaped) {
  Response r = validation_error("path", "id", "int_parsing", "bad", "abc");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body,
            R"({"detail":[{"type":"int_parsing","loc":["path","id"],"msg":"bad","input":"abc"}]})");
}

TEST(IsoNow, HasMicroseconds) {
  const std::string t = iso_now();
  ASSERT_EQ(t.size(), 26u);  // 2024-06-01T12:00:00.123456
  EXPECT_EQ(t[10], 'T');
  EXPECT_EQ(t[19], '.');
}

}  // namespace
}  // namespace arrload::target
