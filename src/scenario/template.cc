#include "scenario/template.h"

#include <type_traits>

#include <fmt/format.h>

#include "scenario/escape.h"
#include "scenario/feeder.h"

namespace arrload::scenario {

namespace {

// Random UUID version 4 (RFC 4122): 122 random bits, version nibble 4, variant bits 10.
void append_uuid(core::Rng& rng, std::string& out) {
  std::uint64_t hi = (rng() & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  std::uint64_t lo = (rng() & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  fmt::format_to(std::back_inserter(out), "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32,
                 (hi >> 16) & 0xFFFF, hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFULL);
}

// Appends VALUE escaped for where the template sits. Literals were escaped when the template was
// parsed; so were choice options in a query string, which is why Choice never asks for URL_ENCODE.
void append_value(std::string_view value, bool json_escape, bool url_encode, std::string& out) {
  if (json_escape) {
    append_json_escaped(value, out);
  } else if (url_encode) {
    append_url_encoded(value, out);
  } else {
    out += value;
  }
}

}  // namespace

Template::Template(std::vector<Part> parts, bool json_escape) : json_escape_(json_escape) {
  // Adjacent literals are merged so rendering appends as few pieces as possible.
  for (Part& part : parts) {
    auto* lit = std::get_if<Literal>(&part);
    if (lit != nullptr && lit->text.empty()) continue;
    if (lit != nullptr && !parts_.empty() && std::holds_alternative<Literal>(parts_.back())) {
      std::get<Literal>(parts_.back()).text += lit->text;
    } else {
      parts_.push_back(std::move(part));
    }
  }
}

Template Template::literal(std::string text) {
  std::vector<Part> parts;
  parts.push_back(Literal{text});
  Template t(std::move(parts));
  t.set_source(std::move(text));
  return t;
}

void Template::render(const RenderContext& ctx, std::string& out) const {
  for (const Part& part : parts_) {
    std::visit(
        [&](const auto& p) {
          using T = std::decay_t<decltype(p)>;
          if constexpr (std::is_same_v<T, Literal>) {
            out += p.text;
          } else if constexpr (std::is_same_v<T, Var>) {
            if (ctx.vars != nullptr && p.slot >= 0 &&
                static_cast<std::size_t>(p.slot) < ctx.vars->size()) {
              append_value((*ctx.vars)[static_cast<std::size_t>(p.slot)], json_escape_,
                           p.url_encode, out);
            }
          } else if constexpr (std::is_same_v<T, Choice>) {
            std::uniform_int_distribution<std::size_t> pick(0, p.options.size() - 1);
            append_value(p.options[pick(*ctx.rng)], json_escape_, false, out);
          } else if constexpr (std::is_same_v<T, RandInt>) {
            std::uniform_int_distribution<std::int64_t> pick(p.lo, p.hi);
            fmt::format_to(std::back_inserter(out), "{}", pick(*ctx.rng));
          } else if constexpr (std::is_same_v<T, Counter>) {
            fmt::format_to(std::back_inserter(out), "{}", ctx.counter);
          } else if constexpr (std::is_same_v<T, UserId>) {
            fmt::format_to(std::back_inserter(out), "{}", ctx.user_id);
          } else if constexpr (std::is_same_v<T, Cookie>) {
            const std::string* value =
                ctx.cookies != nullptr ? ctx.cookies->cookie(p.name) : nullptr;
            if (value != nullptr) append_value(*value, json_escape_, p.url_encode, out);
          } else if constexpr (std::is_same_v<T, Row>) {
            if (ctx.feed != nullptr) {
              append_value(ctx.feed->cell(ctx.row, p.column), json_escape_, p.url_encode, out);
            }
          } else {
            append_uuid(*ctx.rng, out);
          }
        },
        part);
  }
}

std::string Template::render(const RenderContext& ctx) const {
  std::string out;
  render(ctx, out);
  return out;
}

bool Template::is_static() const {
  for (const Part& part : parts_) {
    if (!std::holds_alternative<Literal>(part)) return false;
  }
  return true;
}

}  // namespace arrload::scenario
