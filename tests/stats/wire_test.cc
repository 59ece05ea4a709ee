#include "stats/wire.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace arrload::stats::wire {
namespace {

TEST(WireTest, VarintsRoundTripAtEveryLength) {
  for (int bits = 0; bits <= 64; ++bits) {
    const std::uint64_t top = bits == 64 ? UINT64_MAX : (std::uint64_t{1} << bits) - 1;
    for (std::uint64_t v : {top, top + 1, top / 3}) {
      std::string s;
      put_varint(s, v);
      EXPECT_EQ(s.size(),
                v == 0 ? 1u : (64 - static_cast<std::size_t>(__builtin_clzll(v)) + 6) / 7);
      const char* p = s.data();
      std::uint64_t back = 0;
      ASSERT_TRUE(get_varint(&p, s.data() + s.size(), back)) << v;
      EXPECT_EQ(back, v);
      EXPECT_EQ(p, s.data() + s.size());
      // Every strict prefix is truncated.
      for (std::size_t len = 0; len < s.size(); ++len) {
        const char* q = s.data();
        EXPECT_FALSE(get_varint(&q, s.data() + len, back)) << v << " " << len;
      }
    }
  }
}

TEST(WireTest, OverlongAndOversizedVarintsAreRefused) {
  std::uint64_t v = 0;
  const std::string overlong("\x81\x00", 2);  // 1 written in two bytes
  const std::string too_big("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10);  // 2^65 - 1
  const std::string eleven(11, '\x80');
  for (const std::string& s : {overlong, too_big, eleven}) {
    const char* p = s.data();
    EXPECT_FALSE(get_varint(&p, s.data() + s.size(), v)) << s.size();
  }
}

TEST(WireTest, ReaderNamesWhatItExpectedAndWhere) {
  std::string bytes;
  Writer w(bytes);
  w.uint(5);
  w.str("abc");
  Reader r(bytes);
  EXPECT_EQ(r.uint("a count"), 5u);
  EXPECT_EQ(r.dbl("a rate"), 0.0);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "stats encoding: a double expected (a rate), found a string, at byte 1");
  // After the first error nothing more is read and the message stays.
  EXPECT_EQ(r.str("a name"), "");
  EXPECT_EQ(r.error(), "stats encoding: a double expected (a rate), found a string, at byte 1");
}

TEST(WireTest, ReaderRefusesAStringLongerThanTheInput) {
  std::string bytes;
  Writer w(bytes);
  w.str("hello");
  bytes.pop_back();
  Reader r(bytes);
  EXPECT_EQ(r.str("a name"), "");
  EXPECT_NE(r.error().find("truncated a name: 5 bytes announced, 4 left"), std::string::npos)
      << r.error();
}

TEST(WireTest, SignedValuesUseTheShortestForm) {
  std::string bytes;
  Writer w(bytes);
  w.sint(-1);
  w.sint(INT64_MIN);
  w.sint(INT64_MAX);
  w.uint(static_cast<std::uint64_t>(INT64_MAX) + 1);
  EXPECT_EQ(bytes.size(), 1u + 9 + 9 + 9);
  Reader r(bytes);
  EXPECT_EQ(r.sint("a"), -1);
  EXPECT_EQ(r.sint("b"), INT64_MIN);
  EXPECT_EQ(r.sint("c"), INT64_MAX);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.sint("d"), 0);  // above INT64_MAX
  EXPECT_NE(r.error().find("d out of range"), std::string::npos) << r.error();
}

}  // namespace
}  // namespace arrload::stats::wire
