#include "http/decoder.h"

#include <zlib.h>

#include <brotli/decode.h>

#include "core/strings.h"

namespace arrload::http {
namespace {

constexpr std::size_t kScratch = std::size_t{16} << 10;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 1950: a zlib stream starts with CM = 8 and a header whose 16 bits divide by 31.
bool looks_like_zlib(unsigned char cmf, unsigned char flg) {
  return (cmf & 0x0f) == 8 && ((cmf << 8) | flg) % 31 == 0;
}

}  // namespace

ContentCoding parse_content_coding(std::string_view value) {
  value = trim(value);
  if (value.empty() || core::iequals(value, "identity")) return ContentCoding::kIdentity;
  if (core::iequals(value, "gzip") || core::iequals(value, "x-gzip")) return ContentCoding::kGzip;
  if (core::iequals(value, "deflate")) return ContentCoding::kDeflate;
  if (core::iequals(value, "br")) return ContentCoding::kBrotli;
  return ContentCoding::kOther;
}

struct Decoder::Zlib {
  z_stream z{};
  bool initialized = false;
  ~Zlib() {
    if (initialized) inflateEnd(&z);
  }
};

struct Decoder::Brotli {
  BrotliDecoderState* state = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  ~Brotli() {
    if (state != nullptr) BrotliDecoderDestroyInstance(state);
  }
};

Decoder::Decoder() : scratch_(std::make_unique_for_overwrite<char[]>(kScratch)) {}
Decoder::~Decoder() = default;

void Decoder::start(ContentCoding coding) {
  coding_ = coding;
  started_ = false;
  finished_ = false;
  first_byte_ = -1;
  error_.clear();
}

bool Decoder::feed(std::string_view in, std::string* out, std::uint64_t* decoded) {
  if (in.empty()) return true;
  if (finished_) return true;  // bytes after the end of the stream are ignored, as zlib does
  if (coding_ == ContentCoding::kBrotli) return feed_brotli(in, out, decoded);
  return feed_zlib(in, out, decoded);
}

void Decoder::emit(const char* data, std::size_t n, std::string* out, std::uint64_t* decoded) {
  if (out != nullptr) out->append(data, n);
  *decoded += n;
}

bool Decoder::feed_zlib(std::string_view in, std::string* out, std::uint64_t* decoded) {
  if (!zlib_) zlib_ = std::make_unique<Zlib>();
  z_stream& z = zlib_->z;
  if (!started_ && coding_ == ContentCoding::kDeflate && first_byte_ < 0 && in.size() == 1) {
    first_byte_ = static_cast<unsigned char>(in[0]);  // the header check needs two bytes
    return true;
  }
  if (!started_ && first_byte_ >= 0) {
    // The byte held back, then the rest: fed as one piece so the header check sees both.
    std::string joined(1, static_cast<char>(first_byte_));
    joined.append(in);
    first_byte_ = -1;
    return feed_zlib(joined, out, decoded);
  }
  if (!started_) {
    // gzip: 16 + 15 (gzip header). deflate: a zlib header if the first bytes are one, else raw
    // deflate (-15), which some servers send under "deflate".
    int bits = 16 + 15;
    if (coding_ == ContentCoding::kDeflate) {
      const auto* b = reinterpret_cast<const unsigned char*>(in.data());
      bits = in.size() >= 2 && looks_like_zlib(b[0], b[1]) ? 15 : -15;
    }
    if (zlib_->initialized) inflateEnd(&z);
    z = z_stream{};
    zlib_->initialized = inflateInit2(&z, bits) == Z_OK;
    if (!zlib_->initialized) {
      error_ = "cannot set up zlib";
      return false;
    }
    started_ = true;
  }
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  while (z.avail_in > 0 || z.avail_out == 0) {
    z.next_out = reinterpret_cast<Bytef*>(scratch_.get());
    z.avail_out = static_cast<uInt>(kScratch);
    const int rc = inflate(&z, Z_NO_FLUSH);
    emit(scratch_.get(), kScratch - z.avail_out, out, decoded);
    if (rc == Z_STREAM_END) {
      finished_ = true;
      return true;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      error_ = std::string("invalid ") + (coding_ == ContentCoding::kGzip ? "gzip" : "deflate") +
               " data: " + (z.msg != nullptr ? z.msg : "inflate failed");
      return false;
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;  // needs more input
  }
  return true;
}

bool Decoder::feed_brotli(std::string_view in, std::string* out, std::uint64_t* decoded) {
  if (!started_) {
    brotli_ = std::make_unique<Brotli>();  // brotli has no reset: a fresh state per body
    if (brotli_->state == nullptr) {
      error_ = "cannot set up brotli";
      return false;
    }
    started_ = true;
  }
  const auto* next_in = reinterpret_cast<const std::uint8_t*>(in.data());
  std::size_t avail_in = in.size();
  for (;;) {
    auto* next_out = reinterpret_cast<std::uint8_t*>(scratch_.get());
    std::size_t avail_out = kScratch;
    const BrotliDecoderResult rc = BrotliDecoderDecompressStream(
        brotli_->state, &avail_in, &next_in, &avail_out, &next_out, nullptr);
    emit(scratch_.get(), kScratch - avail_out, out, decoded);
    switch (rc) {
      case BROTLI_DECODER_RESULT_SUCCESS:
        finished_ = true;
        return true;
      case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
        continue;
      case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
        return true;
      default:
        error_ = std::string("invalid brotli data: ") +
                 BrotliDecoderErrorString(BrotliDecoderGetErrorCode(brotli_->state));
        return false;
    }
  }
}

}  // namespace arrload::http
