#pragma once
// Request templates: strings with placeholders, parsed once when the scenario loads and rendered
// per request without re-parsing.
//
// Syntax (documented in docs/scenario-format.md):
//   ${NAME} / ${NAME:-default}   environment variable, substituted at load time
//   {{ var }}                    a value this user extracted from an earlier response
//   {{ choice(listname) }}       a random element of a list declared under `data:`
//   {{ choice(a|b|c) }}          a random element of an inline list
//   {{ randint(lo, hi) }}        a uniform random integer in [lo, hi]
//   {{ counter }}                this user's request counter (1, 2, 3, ...)
//   {{ user_id }}                this user's number in the run (0-based, unique)
//   {{ uuid }}                   a random UUID v4
//   {{ cookie(NAME) }}           the value of the user's cookie NAME ("" when it has none)
//   {{ row.COLUMN }}             column COLUMN of the row the user took from its class's feeder
//   $${ and {{{{ are literal "${" and "{{"... see the doc for escapes.
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/rng.h"

namespace arrload::scenario {

class FeedTable;

// Where {{ cookie(NAME) }} reads from: the user's cookie jar, adapted by the engine (the scenario
// module knows no HTTP).
class CookieReader {
 public:
  virtual ~CookieReader() = default;
  // The value of the cookie NAME, or null when there is none. Valid until the jar changes.
  virtual const std::string* cookie(std::string_view name) const = 0;
};

// Per-user state a template reads. Owned by the user; not thread-safe.
struct RenderContext {
  core::Rng* rng = nullptr;                        // the user's random generator
  std::uint64_t user_id = 0;                       // unique per user in the run
  std::uint64_t counter = 0;                       // incremented by the engine before each request
  const std::vector<std::string>* vars = nullptr;  // extracted values, indexed by slot
  const CookieReader* cookies = nullptr;           // null: {{ cookie(NAME) }} renders ""
  const FeedTable* feed = nullptr;  // the class's feeder's rows; null: {{ row.X }} renders ""
  std::size_t row = 0;              // the user's current row of FEED
};

class Template {
 public:
  struct Literal {
    std::string text;
  };
  // An extracted variable. URL_ENCODE: percent-encode the value (it sits in a query string).
  struct Var {
    int slot;
    std::string name;
    bool url_encode = false;
  };
  struct Choice {
    std::vector<std::string> options;
  };  // non-empty
  struct RandInt {
    std::int64_t lo, hi;
  };  // lo <= hi
  struct Counter {};
  struct UserId {};
  struct Uuid {};
  struct Cookie {
    std::string name;
    bool url_encode = false;
  };
  // A column of the user's current feeder row. URL_ENCODE as for Var.
  struct Row {
    std::size_t column;
    bool url_encode = false;
  };
  using Part = std::variant<Literal, Var, Choice, RandInt, Counter, UserId, Uuid, Cookie, Row>;

  Template() = default;
  explicit Template(std::vector<Part> parts, bool json_escape = false);
  // A template with no placeholders.
  static Template literal(std::string text);

  // Appends the rendered text to OUT. Values of placeholders are JSON-string-escaped when the
  // template came from inside a JSON string (json_escape).
  // REQUIRES: ctx.rng is non-null when the template holds a Choice, RandInt or Uuid.
  void render(const RenderContext& ctx, std::string& out) const;
  std::string render(const RenderContext& ctx) const;

  // Appends the slots of the {{ var }} placeholders this template reads.
  void collect_var_slots(std::vector<int>& out) const {
    for (const Part& p : parts_) {
      if (const Var* v = std::get_if<Var>(&p)) out.push_back(v->slot);
    }
  }

  // True when rendering always yields the same text (no placeholders).
  bool is_static() const;
  // The text as written, placeholders included; used as the default stats name.
  const std::string& source() const { return source_; }
  void set_source(std::string s) { source_ = std::move(s); }

 private:
  std::vector<Part> parts_;
  bool json_escape_ = false;
  std::string source_;
};

}  // namespace arrload::scenario
