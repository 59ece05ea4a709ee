// The template engine (src/scenario/template_parser.h, template.h): parses the text as the loader
// does for a field, then renders it for a user. The first byte picks the escaping (none, JSON
// string, query string) and the seed of the user's random generator.
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"
#include "scenario/feeder.h"
#include "scenario/template.h"
#include "scenario/template_parser.h"

namespace {

using namespace arrload::scenario;

class FixedCookies : public CookieReader {
 public:
  const std::string* cookie(std::string_view name) const override {
    return name == "session" ? &value_ : nullptr;
  }

 private:
  std::string value_ = "abc 123&x=\"y\"";
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const std::map<std::string, std::vector<std::string>> lists = {
      {"shows", {"Severance", "The Bear", "\"quoted\" & spaced"}}, {"empty_one", {""}}};
  static const std::vector<std::string> columns = {"id", "name"};
  static const FeedTable* feed = [] {
    auto* t = new FeedTable(columns);
    t->add_row({"1", "Ünïcode \\ \"name\""});
    t->add_row({"2", "b&c=d"});
    return t;
  }();

  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<std::string> vars;
  TemplateScope scope;
  scope.data = &lists;
  scope.var_slot = [&vars](const std::string& name) {
    vars.push_back("value of " + name);
    return static_cast<int>(vars.size() - 1);
  };
  scope.row_columns = &columns;
  const auto escape = static_cast<TextEscape>(data[0] % 3);
  try {
    ParsedText parsed = parse_template_parts(text, scope, escape);
    Template t(std::move(parsed.parts), escape == TextEscape::kJson);
    t.set_source(std::move(parsed.source));
    arrload::core::Rng rng(data[0]);
    FixedCookies cookies;
    RenderContext ctx;
    ctx.rng = &rng;
    ctx.user_id = 7;
    ctx.counter = 3;
    ctx.vars = &vars;
    ctx.cookies = &cookies;
    ctx.feed = feed;
    ctx.row = data[0] % 2;
    std::string out;
    t.render(ctx, out);
    (void)t.is_static();
  } catch (const std::invalid_argument&) {
    // A template the loader refuses, with a message.
  }
  return 0;
}
