#pragma once
// A web application in miniature on 127.0.0.1:0, for the tests of what a browser-like client does:
// it sets and requires cookies, redirects in every way, compresses bodies, and records exactly
// what it received. Built on http/raw_server.h; runs on its own thread.
//
// Routes (any method unless said):
//   POST /login              200, Set-Cookie: session=s3cr3t; Path=/ and a Path=/account cookie
//   /need-cookie             200 {"user": "alice"} with the session cookie, else 401
//   /account/x               200, the Cookie header received as the body
//   /logout                  200, Set-Cookie: session=; Max-Age=0 (deletes it)
//   /set-on-redirect         302 to /need-cookie, setting the session cookie on the way
//   /redirect/CODE?to=URL    CODE (301, 302, 303, 307, 308) with Location: URL (default /landing)
//   /landing                 200 {"landed": true}
//   /loop                    302 to /loop, forever
//   /hops/N                  302 to /hops/N-1 (relative: "N-1"); /hops/0 is 200 {"hops": 0}
//   /gzip, /deflate, /br     {"status": "ok"} in that coding (when the request accepts it)
//   /bad-gzip                Content-Encoding: gzip with a body that is not gzip
//   /page                    an HTML page (text/html; charset=utf-8, X-Trace: t-42) with a CSRF
//                            token "tok-7f3a" in a hidden input and "Welcome"
//   POST /submit             200 when the body holds csrf=tok-7f3a, else 403
//   anything else            200 {"status": "ok"}
#include <zlib.h>

#include <charconv>
#include <mutex>
#include <string>
#include <vector>

#include "http/raw_server.h"

namespace arrload::test_support {

// One request as the server read it.
struct Received {
  std::string method;
  std::string target;
  std::string host;
  std::string cookie;           // the Cookie header ("" when none)
  std::string accept_encoding;  // the Accept-Encoding header
  std::string content_type;
  std::string authorization;
  std::string body;
};

// gzip (16 + 15) or zlib (15) wrapped deflate of TEXT.
inline std::string deflate_text(std::string_view text, int window_bits) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, text.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// The brotli encoding of {"status": "ok"}, made once with libbrotlienc's BrotliEncoderCompress
// (quality 5; the tests do not link the encoder).
inline std::string brotli_status_ok() {
  static const unsigned char kBytes[] = {0x8b, 0x07, 0x80, 0x7b, 0x22, 0x73, 0x74,
                                         0x61, 0x74, 0x75, 0x73, 0x22, 0x3a, 0x20,
                                         0x22, 0x6f, 0x6b, 0x22, 0x7d, 0x03};
  return std::string(reinterpret_cast<const char*>(kBytes), sizeof kBytes);
}

class ProbeServer {
 public:
  ProbeServer() : server_([this](const http::test::RawRequest& req) { return handle(req); }) {}

  unsigned short port() const { return server_.port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  int connections() const { return server_.connections(); }

  std::vector<Received> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  // The requests received for targets starting with PREFIX.
  std::vector<Received> received(std::string_view prefix) const {
    std::vector<Received> out;
    for (Received& r : received()) {
      if (r.target.starts_with(prefix)) out.push_back(std::move(r));
    }
    return out;
  }

 private:
  using Reply = http::test::Reply;

  static Reply json(int status, std::string_view body, std::string_view headers = "") {
    return http::test::respond(
        status, body, std::string("Content-Type: application/json\r\n") + std::string(headers));
  }
  static Reply redirect(int status, std::string_view location, std::string_view headers = "") {
    return http::test::respond(
        status, "", "Location: " + std::string(location) + "\r\n" + std::string(headers));
  }
  static Reply encoded(std::string_view coding, const std::string& body) {
    return http::test::respond(
        200, body,
        "Content-Type: application/json\r\nContent-Encoding: " + std::string(coding) + "\r\n");
  }

  Reply handle(const http::test::RawRequest& req) {
    namespace bhttp = boost::beast::http;
    Received r{std::string(req.method_string()),
               std::string(req.target()),
               std::string(req[bhttp::field::host]),
               std::string(req[bhttp::field::cookie]),
               std::string(req[bhttp::field::accept_encoding]),
               std::string(req[bhttp::field::content_type]),
               std::string(req[bhttp::field::authorization]),
               req.body()};
    {
      std::lock_guard lock(mutex_);
      received_.push_back(r);
    }
    const std::string_view target = r.target;
    const std::string_view path = target.substr(0, target.find('?'));
    const std::string_view query =
        target.find('?') == std::string_view::npos ? "" : target.substr(target.find('?') + 1);
    constexpr std::string_view kSession = "Set-Cookie: session=s3cr3t; Path=/; HttpOnly\r\n";
    if (path == "/login" && r.method == "POST") {
      return json(200, R"({"ok": true})",
                  std::string(kSession) + "Set-Cookie: acct=a1; Path=/account\r\n");
    }
    if (path == "/need-cookie") {
      if (r.cookie.find("session=s3cr3t") == std::string::npos) return json(401, "{}");
      return json(200, R"({"user": "alice"})");
    }
    if (path.starts_with("/account/")) return http::test::respond(200, r.cookie);
    if (path == "/logout") return json(200, "{}", "Set-Cookie: session=; Max-Age=0; Path=/\r\n");
    if (path == "/set-on-redirect") return redirect(302, "/need-cookie", kSession);
    if (path.starts_with("/redirect/")) {
      int code = 0;
      std::from_chars(path.data() + 10, path.data() + path.size(), code);
      std::string to = query.starts_with("to=") ? std::string(query.substr(3)) : "/landing";
      return redirect(code, to);
    }
    if (path == "/landing") return json(200, R"({"landed": true})");
    if (path == "/loop") return redirect(302, "/loop");
    if (path.starts_with("/hops/")) {
      int n = 0;
      std::from_chars(path.data() + 6, path.data() + path.size(), n);
      if (n == 0) return json(200, R"({"hops": 0})");
      return redirect(302, std::to_string(n - 1));  // relative to /hops/
    }
    constexpr std::string_view kOk = R"({"status": "ok"})";
    if (path == "/gzip" && r.accept_encoding.find("gzip") != std::string::npos) {
      return encoded("gzip", deflate_text(kOk, 16 + 15));
    }
    if (path == "/deflate" && r.accept_encoding.find("deflate") != std::string::npos) {
      return encoded("deflate", deflate_text(kOk, 15));
    }
    if (path == "/br" && r.accept_encoding.find("br") != std::string::npos) {
      return encoded("br", brotli_status_ok());
    }
    if (path == "/bad-gzip") return encoded("gzip", "this is not gzip at all");
    if (path == "/page") {
      return http::test::respond(
          200,
          R"(<html><form><input type="hidden" name="csrf" value="tok-7f3a"></form>Welcome</html>)",
          "Content-Type: text/html; charset=utf-8\r\nX-Trace: t-42\r\n");
    }
    if (path == "/submit" && r.method == "POST") {
      return json(r.body.find("csrf=tok-7f3a") != std::string::npos ? 200 : 403, "{}");
    }
    return json(200, kOk);
  }

  mutable std::mutex mutex_;
  std::vector<Received> received_;
  http::test::RawServer server_;  // last: its thread stops before the rest goes
};

}  // namespace arrload::test_support
