#include "scenario/template_parser.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

#include "scenario/escape.h"

namespace arrload::scenario {

namespace {

constexpr std::string_view kPlaceholderHelp =
    "expected a variable name, counter, user_id, uuid, choice(list), choice(a|b|c), "
    "randint(lo, hi), cookie(name) or row.column";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

[[noreturn]] void fail(const std::string& message) { throw std::invalid_argument(message); }

// Looks up "NAME" or "NAME:-default". Like the shell, the default also replaces an empty value.
std::string env_value(std::string_view ref) {
  std::size_t sep = ref.find(":-");
  std::string name(ref.substr(0, sep));
  if (!is_identifier(name)) {
    fail(fmt::format("invalid environment variable name '{}' in '${{{}}}' (letters, digits, _)",
                     name, ref));
  }
  const char* value = std::getenv(name.c_str());
  if (sep == std::string_view::npos) {
    if (value == nullptr) {
      fail(
          fmt::format("environment variable {0} is not set (set it, or give a default: "
                      "${{{0}:-value}})",
                      name));
    }
    return value;
  }
  if (value == nullptr || *value == '\0') return std::string(ref.substr(sep + 2));
  return value;
}

// Consumes "$${" or "${...}" at TEXT[I], appending the resulting text to OUT. Returns false (and
// consumes nothing) when no environment reference starts at I.
bool take_env(std::string_view text, std::size_t& i, std::string& out) {
  if (text.substr(i, 3) == "$${") {
    out += "${";
    i += 3;
    return true;
  }
  if (text.substr(i, 2) != "${") return false;
  std::size_t close = text.find('}', i + 2);
  if (close == std::string_view::npos) {
    fail(fmt::format("unclosed '${{' at position {} (write $${{ for a literal ${{)", i + 1));
  }
  out += env_value(text.substr(i + 2, close - i - 2));
  i = close + 1;
  return true;
}

std::int64_t parse_int(std::string_view s, std::string_view expr) {
  s = trim(s);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    fail(fmt::format("'{}' is not an integer in '{{{{ {} }}}}'", s, expr));
  }
  return value;
}

Template::Part parse_randint(std::string_view args, std::string_view expr) {
  std::size_t comma = args.find(',');
  if (comma == std::string_view::npos || args.find(',', comma + 1) != std::string_view::npos) {
    fail(fmt::format("randint needs two integers, as in randint(1, 10); got '{}'", expr));
  }
  Template::RandInt r{parse_int(args.substr(0, comma), expr),
                      parse_int(args.substr(comma + 1), expr)};
  if (r.lo > r.hi) fail(fmt::format("'{}': lo must not be greater than hi", expr));
  return r;
}

std::string known_lists(const TemplateScope& scope) {
  if (scope.data == nullptr || scope.data->empty()) return "no lists are declared under data:";
  std::string names;
  for (const auto& [name, values] : *scope.data) names += (names.empty() ? "" : ", ") + name;
  return "declared lists: " + names;
}

Template::Part parse_choice(std::string_view args, std::string_view expr,
                            const TemplateScope& scope, TextEscape escape) {
  args = trim(args);
  Template::Choice choice;
  if (args.find('|') != std::string_view::npos) {
    while (true) {
      std::size_t bar = args.find('|');
      choice.options.emplace_back(trim(args.substr(0, bar)));
      if (bar == std::string_view::npos) break;
      args.remove_prefix(bar + 1);
    }
  } else if (args.empty()) {
    fail(fmt::format("'{}' needs a data list name or inline options, as in choice(a|b|c)", expr));
  } else {
    std::string list(args);
    if (scope.data == nullptr || !scope.data->contains(list)) {
      fail(fmt::format("unknown data list '{}' ({})", list, known_lists(scope)));
    }
    choice.options = scope.data->at(list);
  }
  if (escape == TextEscape::kUrl) {
    // Options are known now, so they are encoded once instead of on every request.
    for (std::string& option : choice.options) {
      std::string encoded;
      append_url_encoded(option, encoded);
      option = std::move(encoded);
    }
  }
  return choice;
}

Template::Part parse_function(std::string_view expr, const TemplateScope& scope,
                              TextEscape escape) {
  std::size_t open = expr.find('(');
  std::string_view name = trim(expr.substr(0, open));
  if (expr.back() != ')') fail(fmt::format("missing ')' at the end of '{}'", expr));
  std::string_view args = expr.substr(open + 1, expr.size() - open - 2);
  if (name == "choice") return parse_choice(args, expr, scope, escape);
  if (name == "randint") return parse_randint(args, expr);
  if (name == "cookie") {
    const std::string_view cookie = trim(args);
    if (cookie.empty() || cookie.find_first_of(" \t;=,") != std::string_view::npos) {
      fail(fmt::format("cookie() needs a cookie name, as in cookie(session); got '{}'", expr));
    }
    return Template::Cookie{std::string(cookie), escape == TextEscape::kUrl};
  }
  if (name == "counter" || name == "user_id" || name == "uuid") {
    fail(fmt::format("'{0}' takes no arguments; write {{{{ {0} }}}}", name));
  }
  fail(fmt::format("unknown function '{}' in '{}' ({})", name, expr, kPlaceholderHelp));
}

// {{ row.COLUMN }}: a column of the class's feeder, checked now so a typo fails at load.
Template::Part parse_row(std::string_view column, const TemplateScope& scope, TextEscape escape) {
  column = trim(column);
  if (scope.row_columns == nullptr) {
    fail(fmt::format("'{{{{ row.{} }}}}' reads a feeder row, but {}", column, scope.row_source));
  }
  const auto& columns = *scope.row_columns;
  auto it = std::find(columns.begin(), columns.end(), column);
  if (it == columns.end()) {
    std::string names;
    for (const std::string& c : columns) names += (names.empty() ? "" : ", ") + c;
    fail(fmt::format("unknown column '{}' of {} (its columns: {})", column, scope.row_source,
                     names));
  }
  return Template::Row{static_cast<std::size_t>(it - columns.begin()), escape == TextEscape::kUrl};
}

Template::Part parse_placeholder(std::string_view expr, const TemplateScope& scope,
                                 TextEscape escape) {
  expr = trim(expr);
  if (expr.empty()) fail(fmt::format("empty placeholder '{{{{ }}}}' ({})", kPlaceholderHelp));
  if (expr.find('(') != std::string_view::npos) return parse_function(expr, scope, escape);
  if (expr.starts_with("row.")) return parse_row(expr.substr(4), scope, escape);
  if (expr == "counter") return Template::Counter{};
  if (expr == "user_id") return Template::UserId{};
  if (expr == "uuid") return Template::Uuid{};
  if (!is_identifier(expr)) {
    fail(fmt::format("invalid placeholder '{{{{ {} }}}}' ({})", expr, kPlaceholderHelp));
  }
  if (!scope.var_slot) fail(fmt::format("variable '{}' cannot be used here", expr));
  std::string name(expr);
  return Template::Var{scope.var_slot(name), name, escape == TextEscape::kUrl};
}

void append_literal(std::string_view text, TextEscape escape, std::string& out) {
  switch (escape) {
    case TextEscape::kNone:
      out += text;
      break;
    case TextEscape::kJson:
      append_json_escaped(text, out);
      break;
    case TextEscape::kUrl:
      append_url_encoded(text, out);
      break;
  }
}

}  // namespace

std::string substitute_env(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!take_env(text, i, out)) out += text[i++];
  }
  return out;
}

ParsedText parse_template_parts(std::string_view text, const TemplateScope& scope,
                                TextEscape escape) {
  ParsedText result;
  std::string literal;  // unescaped literal text not yet turned into a part
  auto flush = [&] {
    if (literal.empty()) return;
    Template::Literal lit;
    append_literal(literal, escape, lit.text);
    result.parts.emplace_back(std::move(lit));
    literal.clear();
  };
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t before = literal.size();
    if (take_env(text, i, literal)) {
      result.source.append(literal, before);
    } else if (text.substr(i, 4) == "{{{{") {
      literal += "{{";
      result.source += "{{";
      i += 4;
    } else if (text.substr(i, 2) == "{{") {
      std::size_t close = text.find("}}", i + 2);
      if (close == std::string_view::npos) {
        fail(
            fmt::format("unclosed '{{{{' at position {} (close it with '}}}}'; write {{{{{{{{ for "
                        "a literal {{{{)",
                        i + 1));
      }
      std::string expr = substitute_env(text.substr(i + 2, close - i - 2));
      flush();
      result.parts.push_back(parse_placeholder(expr, scope, escape));
      result.source += "{{" + expr + "}}";
      i = close + 2;
    } else {
      literal += text[i];
      result.source += text[i];
      ++i;
    }
  }
  flush();
  return result;
}

Template parse_template(std::string_view text, const TemplateScope& scope, bool json_escape) {
  ParsedText parsed =
      parse_template_parts(text, scope, json_escape ? TextEscape::kJson : TextEscape::kNone);
  Template t(std::move(parsed.parts), json_escape);
  t.set_source(std::move(parsed.source));
  return t;
}

}  // namespace arrload::scenario
