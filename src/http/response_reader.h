#pragma once
// A Beast response parser that keeps only what a load test reads from a response: the status
// code, the body size, (only when asked) the body bytes, and the few header fields the client
// acts on (ResponseFields). Other header fields are parsed and validated by Beast but not
// stored: Beast's own response_parser allocates every field of every response, which was the
// biggest cost of a request after the system calls. Keep-alive, Content-Length and chunked
// framing are decided by basic_parser itself. Internal to client.cc (it includes Beast).
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/beast/http/basic_parser.hpp>

#include "core/strings.h"
#include "http/decoder.h"

namespace arrload::http {

// The response header fields the client acts on. Owned by the session and reused, so a response
// without them allocates nothing.
struct ResponseFields {
  std::string location;                  // of a 3xx response; "" when none
  std::vector<std::string> set_cookies;  // Set-Cookie values, only when asked for
  ContentCoding coding = ContentCoding::kIdentity;
  bool decode_failed = false;  // the body was not valid in its coding (Decoder::error())

  void clear() {
    location.clear();
    set_cookies.clear();
    coding = ContentCoding::kIdentity;
    decode_failed = false;
  }
};

class ResponseReader : public boost::beast::http::basic_parser<false> {
 public:
  // KEEP: when not null, the (decoded) body is appended to it. FIELDS receives the header fields
  // (cleared here); Set-Cookie values only with WANT_COOKIES. DECODER: made on the first encoded
  // body. HEAD: the response has no body. All must outlive the parse. DECODED_LIMIT: the largest
  // decoded body (0: none); past it the parse fails with body_limit, since a small encoded body
  // may inflate a thousandfold (the encoded size is the parser's own body_limit).
  ResponseReader(std::string* keep, ResponseFields* fields, std::unique_ptr<Decoder>* decoder,
                 bool want_cookies, bool head, std::uint64_t decoded_limit)
      : keep_(keep),
        fields_(fields),
        decoder_(decoder),
        decoded_limit_(decoded_limit),
        want_cookies_(want_cookies) {
    fields_->clear();
    skip(head);
  }

  // Copies the fields whose lower-case names are in NAMES into OUT (cleared here). Both must
  // outlive the parse.
  void capture(const std::vector<std::string>* names,
               std::vector<std::pair<std::string, std::string>>* out) {
    capture_names_ = names;
    captured_ = out;
    captured_->clear();
  }

  int status() const { return status_; }                    // 0 until the status line was parsed
  std::uint64_t body_bytes() const { return body_bytes_; }  // decoded body length so far
  std::uint64_t wire_bytes() const { return wire_bytes_; }  // body bytes as received

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;
  using field = boost::beast::http::field;

  void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                       error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override { status_ = code; }
  void on_field_impl(field name, string_view text, string_view value, error_code&) override {
    if (capture_names_ != nullptr) capture_field({text.data(), text.size()}, value);
    switch (name) {
      case field::location:
        if (status_ >= 300 && status_ < 400) fields_->location.assign(value.data(), value.size());
        break;
      case field::set_cookie:
        if (want_cookies_) fields_->set_cookies.emplace_back(value.data(), value.size());
        break;
      case field::content_encoding:
        fields_->coding = parse_content_coding({value.data(), value.size()});
        break;
      default:
        break;
    }
  }
  void capture_field(std::string_view text, string_view value) {
    for (const std::string& wanted : *capture_names_) {
      if (core::iequals(wanted, text)) {
        captured_->emplace_back(std::string(text), std::string(value.data(), value.size()));
        return;
      }
    }
  }

  void on_header_impl(error_code&) override {
    const ContentCoding c = fields_->coding;
    decoding_ =
        c == ContentCoding::kGzip || c == ContentCoding::kDeflate || c == ContentCoding::kBrotli;
    if (!decoding_) return;
    if (!*decoder_) *decoder_ = std::make_unique<Decoder>();
    (*decoder_)->start(c);
  }

  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code&) override {
    if (keep_ != nullptr && content_length) {
      constexpr std::uint64_t kMaxReserve = 16u << 20;  // a lying header must not cost memory
      keep_->reserve(static_cast<std::size_t>(std::min(*content_length, kMaxReserve)));
    }
  }

  std::size_t on_body_impl(string_view body, error_code& ec) override { return take(body, ec); }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override {
    return take(body, ec);
  }
  void on_finish_impl(error_code&) override {}

  std::size_t take(string_view body, error_code& ec) {
    wire_bytes_ += body.size();
    if (decoding_) {
      if (!(*decoder_)->feed({body.data(), body.size()}, keep_, &body_bytes_)) {
        fields_->decode_failed = true;
        // Any error stops the parse; the session reports it from decode_failed.
        ec = boost::beast::http::error::bad_transfer_encoding;
      } else if (decoded_limit_ > 0 && body_bytes_ > decoded_limit_) {
        ec = boost::beast::http::error::body_limit;
      }
      return body.size();
    }
    if (keep_ != nullptr) keep_->append(body.data(), body.size());
    body_bytes_ += body.size();
    return body.size();
  }

  std::string* keep_;
  ResponseFields* fields_;
  std::unique_ptr<Decoder>* decoder_;
  std::uint64_t decoded_limit_;
  const std::vector<std::string>* capture_names_ = nullptr;
  std::vector<std::pair<std::string, std::string>>* captured_ = nullptr;
  bool want_cookies_;
  bool decoding_ = false;
  int status_ = 0;
  std::uint64_t body_bytes_ = 0;
  std::uint64_t wire_bytes_ = 0;
};

}  // namespace arrload::http
