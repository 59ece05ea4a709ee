#include "http/cookie_jar.h"

#include <gtest/gtest.h>

namespace arrload::http {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;  // 2023-11-14

std::string header(const CookieJar& jar, std::string_view host, std::string_view target,
                   bool secure = false, std::int64_t now = kNow) {
  std::string out = "stale";
  jar.header_for(host, target, secure, now, out);
  return out;
}

TEST(CookieJar, StoresAndSendsBackOnTheSameHost) {
  CookieJar jar;
  EXPECT_TRUE(jar.store("session=abc; Path=/; HttpOnly", "app.test", "/login?x=1", kNow));
  EXPECT_TRUE(jar.store("theme = dark ", "app.test", "/login", kNow));
  EXPECT_EQ(header(jar, "app.test", "/anything"), "session=abc; theme=dark");
  EXPECT_EQ(header(jar, "other.test", "/"), "");
  EXPECT_EQ(header(jar, "sub.app.test", "/"), "") << "no Domain: host-only";
  EXPECT_EQ(header(jar, "APP.test", "/x"), "session=abc; theme=dark") << "host names: any case";
  jar.store("upper=1", "App.TEST", "/", kNow);
  EXPECT_EQ(header(jar, "app.test", "/"), "session=abc; theme=dark; upper=1");
  EXPECT_EQ(jar.get("session"), "abc");
  EXPECT_FALSE(jar.get("nope"));
}

TEST(CookieJar, ReplacesAndDeletesByMaxAgeAndExpires) {
  CookieJar jar;
  jar.store("a=1; Path=/", "h", "/", kNow);
  jar.store("a=2; Path=/", "h", "/", kNow);
  EXPECT_EQ(header(jar, "h", "/"), "a=2");
  jar.store("a=; Max-Age=0; Path=/", "h", "/", kNow);
  EXPECT_TRUE(jar.empty());
  jar.store("b=1; Path=/", "h", "/", kNow);
  jar.store("b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/", "h", "/", kNow);
  EXPECT_TRUE(jar.empty());
  jar.store("c=1; Max-Age=60", "h", "/", kNow);
  EXPECT_EQ(header(jar, "h", "/"), "c=1");
  EXPECT_EQ(header(jar, "h", "/", false, kNow + 61), "") << "expired by then";
  jar.store("d=1; Expires=Wed, 21 Oct 2099 07:28:00 GMT", "h", "/", kNow);
  EXPECT_EQ(header(jar, "h", "/"), "c=1; d=1");
}

TEST(CookieJar, PathDefaultsToTheDirectoryAndLongerPathsGoFirst) {
  CookieJar jar;
  jar.store("dir=1", "h", "/account/login?next=/", kNow);  // default path /account
  jar.store("root=1; Path=/", "h", "/", kNow);
  jar.store("bad=1; Path=relative", "h", "/x/y", kNow);  // an invalid Path: the default, /x
  EXPECT_EQ(header(jar, "h", "/account/settings"), "dir=1; root=1");
  EXPECT_EQ(header(jar, "h", "/account"), "dir=1; root=1");
  EXPECT_EQ(header(jar, "h", "/accounts"), "root=1") << "/account does not match /accounts";
  EXPECT_EQ(header(jar, "h", "/x/z"), "bad=1; root=1");
}

TEST(CookieJar, DomainAttributeCoversSubdomainsButNotOtherSites) {
  CookieJar jar;
  EXPECT_TRUE(jar.store("wide=1; Domain=.example.test", "www.example.test", "/", kNow));
  EXPECT_FALSE(jar.store("evil=1; Domain=other.test", "www.example.test", "/", kNow));
  EXPECT_FALSE(jar.store("ip=1; Domain=0.0.1", "127.0.0.1", "/", kNow));
  EXPECT_EQ(header(jar, "api.example.test", "/"), "wide=1");
  EXPECT_EQ(header(jar, "example.test", "/"), "wide=1");
  EXPECT_EQ(header(jar, "badexample.test", "/"), "");
}

TEST(CookieJar, SecureCookiesOnlyOverTls) {
  CookieJar jar;
  jar.store("s=1; Secure", "h", "/", kNow);
  EXPECT_EQ(header(jar, "h", "/"), "");
  EXPECT_EQ(header(jar, "h", "/", /*secure=*/true), "s=1");
}

TEST(CookieJar, SetFromAStep) {
  CookieJar jar;
  jar.store("consent=no; Path=/", "h", "/", kNow);
  jar.set("consent", "yes", "h");
  jar.set("lang", "en", "h");
  EXPECT_EQ(header(jar, "h", "/x"), "consent=yes; lang=en");
  EXPECT_EQ(header(jar, "other", "/x"), "");
  ASSERT_NE(jar.find("lang"), nullptr);
  EXPECT_EQ(*jar.find("lang"), "en");
  EXPECT_EQ(jar.find("nope"), nullptr);
}

TEST(CookieJar, IgnoresHeadersWithoutAName) {
  CookieJar jar;
  EXPECT_FALSE(jar.store("novalue", "h", "/", kNow));
  EXPECT_FALSE(jar.store("=v", "h", "/", kNow));
  EXPECT_TRUE(jar.empty());
}

TEST(CookieDate, ReadsTheCommonForms) {
  EXPECT_EQ(parse_cookie_date("Wed, 21 Oct 2015 07:28:00 GMT"), 1445412480);
  EXPECT_EQ(parse_cookie_date("Wednesday, 21-Oct-15 07:28:00 GMT"), 1445412480);
  EXPECT_EQ(parse_cookie_date("Wed Oct 21 07:28:00 2015"), 1445412480);
  EXPECT_FALSE(parse_cookie_date("tomorrow"));
  EXPECT_FALSE(parse_cookie_date("Wed, 32 Oct 2015 07:28:00 GMT"));
}

}  // namespace
}  // namespace arrload::http
