// The HTTP/1.1 response reading of the client (src/http/response_reader.h, with client.cc's
// limits): status line, header fields, Content-Length / chunked / to-EOF framing,
// Content-Encoding decoding (gzip, deflate, br; src/http/decoder.cc), then what the client does
// with the fields it kept: Set-Cookie into a CookieJar, Location through resolve_redirect.
//
// Input: one byte of options, then the bytes the server sends. Responses are read one after
// another while the connection stays keep-alive, as one session's requests are. Bytes arrive
// in pieces whose size the option byte sets, so the parser and the decoders see split input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>

#include "http/cookie_jar.h"
#include "http/decoder.h"
#include "http/redirect.h"
#include "http/response_reader.h"
#include "http/url.h"

namespace {

using namespace arrload::http;

constexpr std::uint32_t kHeaderLimit = 64 * 1024;  // client.cc's
constexpr std::uint64_t kKeptBodyLimit = 64ull << 20;

struct Options {
  bool keep_body;
  bool want_cookies;
  bool head;
  std::size_t piece;  // bytes made available per read
};

// Reads one response from WIRE starting at *POS, as bhttp::async_read would from a socket that
// delivers OPT.piece bytes per read. Returns whether the connection may carry another.
bool read_one(std::string_view wire, std::size_t* pos, const Options& opt, ResponseFields* fields,
              std::unique_ptr<Decoder>* decoder, CookieJar* jar) {
  std::string body;
  // client.cc limits every body, kept or not, before and after decoding (--max-body-size).
  ResponseReader parser(opt.keep_body ? &body : nullptr, fields, decoder, opt.want_cookies,
                        opt.head, kKeptBodyLimit);
  static const std::vector<std::string> kCapture = {"content-type", "x-request-id"};
  std::vector<std::pair<std::string, std::string>> captured;
  parser.capture(&kCapture, &captured);
  parser.header_limit(kHeaderLimit);
  parser.body_limit(boost::optional<std::uint64_t>(kKeptBodyLimit));
  boost::beast::error_code ec;
  std::size_t avail = std::min(wire.size(), *pos + opt.piece);
  while (!parser.is_done()) {
    bool more = *pos == avail;  // what arrived is used up: read from the socket
    if (!more) {
      *pos += parser.put(boost::asio::buffer(wire.data() + *pos, avail - *pos), ec);
      more = ec == boost::beast::http::error::need_more;
      if (ec && !more) return false;
      ec = {};
    }
    if (!more) continue;
    if (avail == wire.size()) {
      parser.put_eof(ec);  // the server closed the connection
      if (ec || !parser.is_done()) return false;
      break;
    }
    avail = std::min(wire.size(), avail + opt.piece);
  }
  (void)parser.status();
  (void)parser.body_bytes();
  for (const std::string& value : fields->set_cookies) {
    jar->store(value, "example.test", "/api/v1/shows?page=2", 1'700'000'000);
  }
  if (is_redirect(parser.status()) && !fields->location.empty()) {
    static const Url origin = *Url::parse("http://example.test:8080/base");
    (void)resolve_redirect(origin, "/api/v1/shows?page=2", fields->location);
  }
  return parser.keep_alive() && *pos < wire.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Options opt{(data[0] & 1) != 0, (data[0] & 2) != 0, (data[0] & 4) != 0,
                    std::size_t{1} << ((data[0] >> 3) % 12)};
  const std::string_view wire(reinterpret_cast<const char*>(data) + 1, size - 1);
  ResponseFields fields;  // owned by the session and reused, as in client.cc
  std::unique_ptr<Decoder> decoder;
  CookieJar jar;
  std::size_t pos = 0;
  for (int responses = 0; responses < 8; ++responses) {
    if (!read_one(wire, &pos, opt, &fields, &decoder, &jar)) break;
  }
  std::string cookie_header;
  jar.header_for("example.test", "/api/v1/shows", false, 1'700'000'000, cookie_header);
  return 0;
}
