#pragma once
// Content-Encoding decoding of response bodies (gzip, deflate, br), fed piece by piece as the
// body arrives. zlib and brotli stay inside decoder.cc.
//
// Threading: one Decoder per session; not thread-safe.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace arrload::http {

enum class ContentCoding {
  kIdentity,  // no Content-Encoding, or "identity"
  kGzip,      // "gzip", "x-gzip"
  kDeflate,   // "deflate": zlib-wrapped as RFC 9110 says, or raw deflate as some servers send
  kBrotli,    // "br"
  kOther,     // anything else, or several codings: the body is passed on undecoded
};

// The coding a Content-Encoding header value names (case-insensitive, spaces ignored).
ContentCoding parse_content_coding(std::string_view value);

// The Accept-Encoding value sent by default: the codings a Decoder handles.
inline constexpr std::string_view kAcceptEncoding = "gzip, deflate, br";

class Decoder {
 public:
  Decoder();
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Begins a new body encoded with CODING (gzip, deflate or br), forgetting the previous one.
  void start(ContentCoding coding);

  // Decodes the next piece IN of the body: appends the decoded bytes to OUT when it is not null,
  // and adds their number to *DECODED. False when the data is not valid in the coding (error()
  // then says why); the body must then be abandoned.
  bool feed(std::string_view in, std::string* out, std::uint64_t* decoded);

  // True once the coding's end-of-stream marker was decoded.
  bool finished() const { return finished_; }
  // Why feed() failed: "invalid gzip data: incorrect header check".
  const std::string& error() const { return error_; }

 private:
  struct Zlib;
  struct Brotli;
  bool feed_zlib(std::string_view in, std::string* out, std::uint64_t* decoded);
  bool feed_brotli(std::string_view in, std::string* out, std::uint64_t* decoded);
  void emit(const char* data, std::size_t n, std::string* out, std::uint64_t* decoded);

  ContentCoding coding_ = ContentCoding::kIdentity;
  bool started_ = false;  // the zlib stream was set up for this body (deflate waits for a byte)
  bool finished_ = false;
  int first_byte_ = -1;  // deflate: a first piece of one byte, held until the second arrives
  std::string error_;
  std::unique_ptr<Zlib> zlib_;      // made by the first gzip or deflate body
  std::unique_ptr<Brotli> brotli_;  // made by the first br body
  std::unique_ptr<char[]> scratch_;
};

}  // namespace arrload::http
