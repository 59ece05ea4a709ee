#include "http/redirect.h"

#include <gtest/gtest.h>

namespace arrload::http {
namespace {

Url origin(std::string_view text) { return *Url::parse(text); }

TEST(Redirect, ResolvesAbsoluteRelativeAndOtherHosts) {
  const Url here = origin("http://127.0.0.1:8080");
  auto r = resolve_redirect(here, "/api/v1/shows?page=2", "/api/v1/shows/?page=2");
  ASSERT_TRUE(r);
  EXPECT_TRUE(same_origin(r->origin, here));
  EXPECT_EQ(r->target, "/api/v1/shows/?page=2");

  r = resolve_redirect(here, "/a/b/c", "d?x=1#frag");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->target, "/a/b/d?x=1");

  r = resolve_redirect(here, "/a/b", "../up");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->target, "/up");

  r = resolve_redirect(here, "/", "https://Example.test/login");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->origin.tls);
  EXPECT_EQ(r->origin.host, "Example.test");
  EXPECT_EQ(r->origin.port, "443");
  EXPECT_EQ(r->target, "/login");
  EXPECT_FALSE(same_origin(r->origin, here));

  r = resolve_redirect(here, "/", "//127.0.0.1:9090");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->origin.port, "9090");
  EXPECT_EQ(r->target, "/");
}

TEST(Redirect, RefusesWhatCannotBeFollowed) {
  const Url here = origin("http://h:1");
  EXPECT_FALSE(resolve_redirect(here, "/", "ftp://h/file"));
  EXPECT_FALSE(resolve_redirect(here, "/", "http://[broken/"));
}

TEST(Redirect, MethodsChangeAsInPythonRequests) {
  EXPECT_EQ(redirected_method(303, "POST"), "GET");
  EXPECT_EQ(redirected_method(303, "PUT"), "GET");
  EXPECT_EQ(redirected_method(303, "HEAD"), "HEAD");
  EXPECT_EQ(redirected_method(302, "POST"), "GET");
  EXPECT_EQ(redirected_method(301, "POST"), "GET");
  EXPECT_EQ(redirected_method(301, "PUT"), "PUT");
  EXPECT_EQ(redirected_method(307, "POST"), "POST");
  EXPECT_EQ(redirected_method(308, "DELETE"), "DELETE");
  EXPECT_TRUE(redirect_keeps_body(307));
  EXPECT_TRUE(redirect_keeps_body(308));
  EXPECT_FALSE(redirect_keeps_body(301));
  EXPECT_FALSE(is_redirect(304));
  EXPECT_TRUE(is_redirect(308));
}

}  // namespace
}  // namespace arrload::http
