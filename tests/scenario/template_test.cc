#include "scenario/template.h"

#include <cstdlib>
#include <map>
#include <set>
#include <stdexcept>

#include <gtest/gtest.h>

#include "scenario/feeder.h"
#include "scenario/template_parser.h"

namespace arrload::scenario {
namespace {

class TemplateTest : public ::testing::Test {
 protected:
  TemplateTest() {
    ctx_.rng = &rng_;
    ctx_.vars = &vars_;
    scope_.data = &data_;
    scope_.var_slot = [this](const std::string& name) {
      auto [it, fresh] = slots_.try_emplace(name, static_cast<int>(slots_.size()));
      return it->second;
    };
  }

  std::string render(std::string_view text, bool json = false) {
    return parse_template(text, scope_, json).render(ctx_);
  }

  std::string error_of(std::string_view text) {
    try {
      parse_template(text, scope_);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "<no error>";
  }

  core::Rng rng_{42};
  std::vector<std::string> vars_;
  RenderContext ctx_;
  std::map<std::string, std::vector<std::string>> data_{{"queries", {"Dune", "The Matrix"}}};
  std::map<std::string, int> slots_;
  TemplateScope scope_;
};

TEST_F(TemplateTest, LiteralTextIsStatic) {
  Template t = parse_template("/api/v1/shows/", scope_);
  EXPECT_TRUE(t.is_static());
  EXPECT_EQ(t.render(ctx_), "/api/v1/shows/");
  EXPECT_EQ(t.source(), "/api/v1/shows/");
  EXPECT_EQ(Template::literal("x").render(ctx_), "x");
}

TEST_F(TemplateTest, CounterAndUserId) {
  ctx_.counter = 7;
  ctx_.user_id = 3;
  Template t = parse_template("u{{ user_id }}-{{counter}}", scope_);
  EXPECT_FALSE(t.is_static());
  EXPECT_EQ(t.render(ctx_), "u3-7");
  EXPECT_EQ(t.source(), "u{{ user_id }}-{{counter}}");
}

TEST_F(TemplateTest, RandIntStaysInRangeAndReachesBothEnds) {
  Template t = parse_template("{{ randint(-2, 2) }}", scope_);
  std::set<std::string> seen;
  for (int i = 0; i < 500; ++i) seen.insert(t.render(ctx_));
  EXPECT_EQ(seen, (std::set<std::string>{"-2", "-1", "0", "1", "2"}));
}

TEST_F(TemplateTest, ChoiceFromDataListAndInlineOptions) {
  Template listed = parse_template("{{ choice(queries) }}", scope_);
  Template inline_ = parse_template("{{ choice(a | b|c) }}", scope_);
  std::set<std::string> from_list, from_inline;
  for (int i = 0; i < 200; ++i) {
    from_list.insert(listed.render(ctx_));
    from_inline.insert(inline_.render(ctx_));
  }
  EXPECT_EQ(from_list, (std::set<std::string>{"Dune", "The Matrix"}));
  EXPECT_EQ(from_inline, (std::set<std::string>{"a", "b", "c"}));
}

// xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx in lower-case hex.
bool is_uuid_v4(const std::string& s) {
  if (s.size() != 36 || s[14] != '4' || std::string_view("89ab").find(s[19]) == std::string::npos) {
    return false;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    bool hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f');
    if (dash ? s[i] != '-' : !hex) return false;
  }
  return true;
}

TEST_F(TemplateTest, CookieReadsTheJarEscapedForItsPlace) {
  struct Jar : CookieReader {
    const std::string* cookie(std::string_view name) const override {
      return name == "session" ? &value : nullptr;
    }
    std::string value = "a b\"c";
  } jar;
  EXPECT_EQ(render("s={{ cookie(session) }};"), "s=;") << "no jar: empty";
  ctx_.cookies = &jar;
  EXPECT_EQ(render("s={{ cookie( session ) }};x={{ cookie(other) }}"), "s=a b\"c;x=");
  EXPECT_EQ(render("{{ cookie(session) }}", /*json=*/true), "a b\\\"c");
  EXPECT_EQ(parse_template_parts("?s={{ cookie(session) }}", scope_, TextEscape::kUrl).parts.size(),
            2u);
  Template url(parse_template_parts("?s={{ cookie(session) }}", scope_, TextEscape::kUrl).parts);
  EXPECT_EQ(url.render(ctx_), "%3Fs%3Da%20b%22c");
  EXPECT_THROW(render("{{ cookie() }}"), std::invalid_argument);
  EXPECT_THROW(render("{{ cookie(a=b) }}"), std::invalid_argument);
}

TEST_F(TemplateTest, UuidIsVersion4) {
  Template t = parse_template("{{ uuid }}", scope_);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string u = t.render(ctx_);
    EXPECT_TRUE(is_uuid_v4(u)) << u;
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_FALSE(is_uuid_v4("0123456789ab-cdef-4123-8123-123456789abc"));
}

TEST_F(TemplateTest, VariablesRenderFromTheirSlotOrEmpty) {
  Template t = parse_template("/shows/{{ show_id }}/{{ other }}", scope_);
  EXPECT_EQ(slots_.at("show_id"), 0);
  EXPECT_EQ(slots_.at("other"), 1);
  EXPECT_EQ(t.render(ctx_), "/shows//");
  vars_ = {"12", ""};
  EXPECT_EQ(t.render(ctx_), "/shows/12/");
  ctx_.vars = nullptr;
  EXPECT_EQ(t.render(ctx_), "/shows//");
}

TEST_F(TemplateTest, JsonEscapingAppliesToLiteralsAndValues) {
  vars_ = {"say \"hi\"\\\n"};
  EXPECT_EQ(render("a\"b {{ v }}", true), "a\\\"b say \\\"hi\\\"\\\\\\n");
  EXPECT_EQ(render("a\"b {{ v }}", false), "a\"b say \"hi\"\\\n");
  data_["odd"] = {"x\"y"};
  EXPECT_EQ(render("{{ choice(odd) }}", true), "x\\\"y");
}

TEST_F(TemplateTest, UrlEscapeEncodesLiteralsChoicesAndVars) {
  ParsedText p =
      parse_template_parts("a b&{{ choice(queries) }}|{{ q }}", scope_, TextEscape::kUrl);
  Template t(std::move(p.parts));
  vars_ = {"x/y z"};
  std::string out = t.render(ctx_);
  EXPECT_TRUE(out == "a%20b%26Dune%7Cx%2Fy%20z" || out == "a%20b%26The%20Matrix%7Cx%2Fy%20z")
      << out;
  EXPECT_EQ(p.source, "a b&{{ choice(queries) }}|{{ q }}");
}

TEST_F(TemplateTest, EnvironmentVariables) {
  ::setenv("ARRLOAD_TT_SET", "value", 1);
  ::unsetenv("ARRLOAD_TT_UNSET");
  ::setenv("ARRLOAD_TT_EMPTY", "", 1);
  EXPECT_EQ(render("${ARRLOAD_TT_SET}"), "value");
  EXPECT_EQ(render("${ARRLOAD_TT_SET:-other}"), "value");
  EXPECT_EQ(render("${ARRLOAD_TT_UNSET:-http://localhost:8088}"), "http://localhost:8088");
  EXPECT_EQ(render("[${ARRLOAD_TT_EMPTY}]"), "[]");
  EXPECT_EQ(render("${ARRLOAD_TT_EMPTY:-d}"), "d");
  EXPECT_EQ(render("$${ARRLOAD_TT_SET} {{{{ x }}"), "${ARRLOAD_TT_SET} {{ x }}");
  EXPECT_EQ(substitute_env("a ${ARRLOAD_TT_SET} {{ x }}"), "a value {{ x }}");
  ::setenv("ARRLOAD_TT_MAX", "1", 1);
  EXPECT_EQ(render("{{ randint(1, ${ARRLOAD_TT_MAX}) }}"), "1");
  EXPECT_EQ(parse_template("${ARRLOAD_TT_SET}/{{ counter }}", scope_).source(),
            "value/{{ counter }}");
}

TEST_F(TemplateTest, EnvironmentValuesAreNotParsedAsPlaceholders) {
  ::setenv("ARRLOAD_TT_BRACES", "{{ nope", 1);
  EXPECT_EQ(render("${ARRLOAD_TT_BRACES}"), "{{ nope");
}

TEST_F(TemplateTest, ErrorsSayWhatIsWrong) {
  ::unsetenv("ARRLOAD_TT_UNSET");
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"/a/{{ counter", "unclosed '{{' at position 4"},
      {"{{ }}", "empty placeholder"},
      {"{{ rand(1, 2) }}", "unknown function 'rand'"},
      {"{{ randint(5, 1) }}", "lo must not be greater than hi"},
      {"{{ randint(1) }}", "randint needs two integers"},
      {"{{ randint(1, x) }}", "'x' is not an integer"},
      {"{{ choice(movies) }}", "unknown data list 'movies' (declared lists: queries)"},
      {"{{ choice() }}", "needs a data list name"},
      {"{{ choice(a|b }}", "missing ')'"},
      {"{{ uuid() }}", "'uuid' takes no arguments"},
      {"{{ a b }}", "invalid placeholder '{{ a b }}'"},
      {"${ARRLOAD_TT_UNSET}", "environment variable ARRLOAD_TT_UNSET is not set"},
      {"${NOT CLOSED", "unclosed '${'"},
      {"${1BAD}", "invalid environment variable name '1BAD'"},
  };
  for (const Case& c : cases) {
    EXPECT_NE(error_of(c.text).find(c.message), std::string::npos)
        << c.text << " -> " << error_of(c.text);
  }
}

TEST_F(TemplateTest, VariablesCanBeForbidden) {
  scope_.var_slot = nullptr;
  EXPECT_NE(error_of("{{ id }}").find("variable 'id' cannot be used here"), std::string::npos);
}

TEST_F(TemplateTest, RowColumnsRenderTheUsersRowEscapedWhereTheySit) {
  const FeedTable table =
      parse_feed("user,note\nalice,\"a \"\"b\"\"&c\"\nbob,x\n", FeedFormat::kCsv);
  const std::vector<std::string> columns = table.columns();
  scope_.row_columns = &columns;
  ctx_.feed = &table;
  ctx_.row = 0;
  EXPECT_EQ(render("/u/{{ row.user }}/{{row.note}}"), "/u/alice/a \"b\"&c");
  EXPECT_EQ(render("{{ row.note }}", /*json=*/true), "a \\\"b\\\"&c");
  Template url(parse_template_parts("{{ row.note }}", scope_, TextEscape::kUrl).parts);
  EXPECT_EQ(url.render(ctx_), "a%20%22b%22%26c");
  ctx_.row = 1;
  EXPECT_EQ(render("{{ row.user }}:{{ row.note }}"), "bob:x");
  ctx_.feed = nullptr;
  EXPECT_EQ(render("[{{ row.user }}]"), "[]");
}

TEST_F(TemplateTest, RowColumnsAreCheckedAtLoad) {
  EXPECT_EQ(error_of("{{ row.user }}"),
            "'{{ row.user }}' reads a feeder row, but the user class has no feeder (add feeder: "
            "NAME to the class)");
  const std::vector<std::string> columns{"user", "password"};
  scope_.row_columns = &columns;
  scope_.row_source = "feeder 'accounts' (accounts.csv)";
  EXPECT_EQ(error_of("{{ row.pasword }}"),
            "unknown column 'pasword' of feeder 'accounts' (accounts.csv) (its columns: user, "
            "password)");
}

}  // namespace
}  // namespace arrload::scenario
