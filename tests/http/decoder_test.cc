#include "http/decoder.h"

#include <string>

#include <gtest/gtest.h>

#include "support/probe_server.h"

namespace arrload::http {
namespace {

using test_support::deflate_text;

std::string big_text() {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i) + " of a compressible body\n";
  return text;
}

// Feeds ENCODED in pieces of STEP bytes; returns the decoded text.
std::string decode(Decoder& d, ContentCoding coding, std::string_view encoded, std::size_t step,
                   std::uint64_t* count) {
  d.start(coding);
  std::string out;
  *count = 0;
  for (std::size_t i = 0; i < encoded.size(); i += step) {
    EXPECT_TRUE(d.feed(encoded.substr(i, step), &out, count)) << d.error();
  }
  return out;
}

TEST(Decoder, ParsesContentEncodingValues) {
  EXPECT_EQ(parse_content_coding(""), ContentCoding::kIdentity);
  EXPECT_EQ(parse_content_coding(" GZIP "), ContentCoding::kGzip);
  EXPECT_EQ(parse_content_coding("x-gzip"), ContentCoding::kGzip);
  EXPECT_EQ(parse_content_coding("deflate"), ContentCoding::kDeflate);
  EXPECT_EQ(parse_content_coding("br"), ContentCoding::kBrotli);
  EXPECT_EQ(parse_content_coding("gzip, br"), ContentCoding::kOther);
  EXPECT_EQ(parse_content_coding("zstd"), ContentCoding::kOther);
}

TEST(Decoder, GzipAndDeflateInAnyPiecesAndOneDecoderReused) {
  const std::string text = big_text();
  Decoder d;
  std::uint64_t n = 0;
  for (std::size_t step : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, text.size()}) {
    EXPECT_EQ(decode(d, ContentCoding::kGzip, deflate_text(text, 16 + 15), step, &n), text);
    EXPECT_EQ(n, text.size());
    EXPECT_TRUE(d.finished());
  }
  EXPECT_EQ(decode(d, ContentCoding::kDeflate, deflate_text(text, 15), 100, &n), text);
  EXPECT_EQ(decode(d, ContentCoding::kDeflate, deflate_text(text, 15), 1, &n), text)
      << "zlib-wrapped, the header split over two pieces";
  EXPECT_EQ(decode(d, ContentCoding::kDeflate, deflate_text(text, -15), 1, &n), text);
  EXPECT_EQ(decode(d, ContentCoding::kDeflate, deflate_text(text, -15), 100, &n), text)
      << "raw deflate, as some servers send";
}

TEST(Decoder, CountsWithoutKeeping) {
  const std::string text = big_text();
  Decoder d;
  d.start(ContentCoding::kGzip);
  std::uint64_t n = 0;
  EXPECT_TRUE(d.feed(deflate_text(text, 16 + 15), nullptr, &n));
  EXPECT_EQ(n, text.size());
}

TEST(Decoder, Brotli) {
  Decoder d;
  std::uint64_t n = 0;
  EXPECT_EQ(decode(d, ContentCoding::kBrotli, test_support::brotli_status_ok(), 3, &n),
            R"({"status": "ok"})");
  EXPECT_TRUE(d.finished());
}

TEST(Decoder, InvalidDataFailsWithAReason) {
  Decoder d;
  std::uint64_t n = 0;
  std::string out;
  d.start(ContentCoding::kGzip);
  EXPECT_FALSE(d.feed("this is not gzip", &out, &n));
  EXPECT_NE(d.error().find("invalid gzip data"), std::string::npos) << d.error();
  d.start(ContentCoding::kBrotli);
  EXPECT_FALSE(d.feed("\xff\xff\xff\xff not brotli", &out, &n));
  EXPECT_NE(d.error().find("invalid brotli data"), std::string::npos) << d.error();
  d.start(ContentCoding::kGzip);  // usable again after a failure
  EXPECT_TRUE(d.feed(deflate_text("ok", 16 + 15), &out, &n));
}

}  // namespace
}  // namespace arrload::http
