#include "http/url.h"

#include <gtest/gtest.h>

namespace arrload::http {
namespace {

struct Case {
  const char* text;
  bool tls;
  const char* host;
  const char* port;
  const char* base_path;
  const char* host_header;
  const char* to_string;
};

class UrlParse : public testing::TestWithParam<Case> {};

TEST_P(UrlParse, Parses) {
  const Case& c = GetParam();
  auto url = Url::parse(c.text);
  ASSERT_TRUE(url.has_value()) << c.text;
  EXPECT_EQ(url->tls, c.tls);
  EXPECT_EQ(url->host, c.host);
  EXPECT_EQ(url->port, c.port);
  EXPECT_EQ(url->base_path, c.base_path);
  EXPECT_EQ(url->host_header(), c.host_header);
  EXPECT_EQ(url->to_string(), c.to_string);
}

INSTANTIATE_TEST_SUITE_P(
    Table, UrlParse,
    testing::Values(Case{"http://localhost:8088", false, "localhost", "8088", "", "localhost:8088",
                         "http://localhost:8088"},
                    Case{"http://localhost:8088/", false, "localhost", "8088", "", "localhost:8088",
                         "http://localhost:8088"},
                    Case{"localhost:8088", false, "localhost", "8088", "", "localhost:8088",
                         "http://localhost:8088"},
                    Case{"example.com", false, "example.com", "80", "", "example.com",
                         "http://example.com:80"},
                    Case{"https://example.com", true, "example.com", "443", "", "example.com",
                         "https://example.com:443"},
                    Case{"HTTPS://Example.com:8443/api/", true, "Example.com", "8443", "/api",
                         "Example.com:8443", "https://Example.com:8443/api"},
                    Case{"http://h/a/b//", false, "h", "80", "/a/b", "h", "http://h:80/a/b"},
                    Case{"ws://h:9000/x", false, "h", "9000", "/x", "h:9000", "http://h:9000/x"},
                    Case{"wss://h", true, "h", "443", "", "h", "https://h:443"},
                    Case{"http://h:/p", false, "h", "80", "/p", "h", "http://h:80/p"},
                    Case{"http://[::1]:8080/x", false, "::1", "8080", "/x", "[::1]:8080",
                         "http://[::1]:8080/x"},
                    Case{"https://[::1]", true, "::1", "443", "", "[::1]", "https://[::1]:443"},
                    Case{"  http://127.0.0.1:1  ", false, "127.0.0.1", "1", "", "127.0.0.1:1",
                         "http://127.0.0.1:1"},
                    Case{"http://h/a%20b", false, "h", "80", "/a%20b", "h", "http://h:80/a%20b"}));

TEST(UrlParse, RejectsUnusable) {
  for (const char* text : {"", "   ", "ftp://h", "http://", "http:///x", "http://h:0",
                           "http://h:65536", "http://h:99999", "http://h:x", "http://u:p@h/",
                           "http://h/?q=1", "http://h/#f", "http://h/a b", "mailto:x@y"}) {
    EXPECT_FALSE(Url::parse(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace arrload::http
