#pragma once
// A Beast response parser that keeps only what a load test reads from a response: the status
// code, the decoded body size, and (only when asked) the body bytes. Header fields are parsed and
// validated by Beast but not stored: Beast's own response_parser allocates every field of every
// response, which was the biggest cost of a request after the system calls. Nothing in arrload
// reads response header fields (http::Response has none); keep-alive, Content-Length and chunked
// framing are decided by basic_parser itself. Internal to client.cc (it includes Beast).
#include <algorithm>
#include <cstdint>
#include <string>

#include <boost/beast/http/basic_parser.hpp>

namespace arrload::http {

class ResponseReader : public boost::beast::http::basic_parser<false> {
 public:
  // KEEP: when not null, the body is appended to it; must outlive the parse.
  explicit ResponseReader(std::string* keep) : keep_(keep) {}

  int status() const { return status_; }                    // 0 until the status line was parsed
  std::uint64_t body_bytes() const { return body_bytes_; }  // decoded body length so far

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;

  void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                       error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override { status_ = code; }
  void on_field_impl(boost::beast::http::field, string_view, string_view, error_code&) override {}
  void on_header_impl(error_code&) override {}

  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code&) override {
    if (keep_ != nullptr && content_length) {
      constexpr std::uint64_t kMaxReserve = 16u << 20;  // a lying header must not cost memory
      keep_->reserve(static_cast<std::size_t>(std::min(*content_length, kMaxReserve)));
    }
  }

  std::size_t on_body_impl(string_view body, error_code&) override { return take(body); }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    return take(body);
  }
  void on_finish_impl(error_code&) override {}

  std::size_t take(string_view body) {
    if (keep_ != nullptr) keep_->append(body.data(), body.size());
    body_bytes_ += body.size();
    return body.size();
  }

  std::string* keep_;
  int status_ = 0;
  std::uint64_t body_bytes_ = 0;
};

}  // namespace arrload::http
