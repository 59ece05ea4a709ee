#pragma once
// A simulated user's cookies, as a browser or python-requests keeps them (RFC 6265, without the
// public-suffix list): stored from Set-Cookie, sent back in Cookie on matching requests.
//
// Threading: one jar per user; not thread-safe. No I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace arrload::http {

class CookieJar {
 public:
  // Stores what one Set-Cookie header value SET_COOKIE says, for a response from HOST (a name or
  // address, any case) to a request for TARGET (path and query). Attributes understood: Path,
  // Domain (which must domain-match HOST, otherwise the cookie is ignored), Expires and Max-Age
  // (a date in the past or Max-Age <= 0 deletes the cookie), Secure. NOW: Unix time, seconds.
  // Returns false when the header was ignored (no '=', empty name, Domain of another site).
  bool store(std::string_view set_cookie, std::string_view host, std::string_view target,
             std::int64_t now);

  // Writes the Cookie header value for a request to HOST and TARGET into OUT (replacing it):
  // "a=1; b=2", longest paths first; "" when no cookie matches. SECURE: the request goes over
  // TLS (Secure cookies are sent only then). Expired cookies are left out.
  void header_for(std::string_view host, std::string_view target, bool secure, std::int64_t now,
                  std::string& out) const;

  bool empty() const { return cookies_.empty(); }
  std::size_t size() const { return cookies_.size(); }
  void clear() { cookies_.clear(); }
  // The value of the first cookie named NAME, whatever its domain and path.
  std::optional<std::string> get(std::string_view name) const;
  // The same without a copy: null when there is none; valid until the jar changes.
  const std::string* find(std::string_view name) const;
  // Sets a session cookie NAME=VALUE for HOST (any case; host-only) and path "/", as
  // requests' session.cookies.set(name, value) does; replaces one of the same name there.
  void set(std::string_view name, std::string_view value, std::string_view host);

 private:
  struct Cookie {
    std::string name;
    std::string value;
    std::string domain;        // lower case, without a leading dot
    std::string path;          // starts with '/'
    bool host_only = true;     // no Domain attribute: only DOMAIN itself, not its subdomains
    bool secure = false;       // sent over TLS only
    std::int64_t expires = 0;  // Unix seconds; 0 = until the end of the run (a session cookie)
  };

  std::vector<Cookie> cookies_;
};

// The Unix time of an HTTP date in any of the forms RFC 6265 section 5.1.1 accepts ("Wed, 21 Oct
// 2015 07:28:00 GMT", "Wednesday, 21-Oct-15 07:28:00 GMT", asctime); nullopt when unreadable.
std::optional<std::int64_t> parse_cookie_date(std::string_view text);

}  // namespace arrload::http
