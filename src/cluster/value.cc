#include "cluster/value.h"

#include <cstdint>
#include <limits>

#include <fmt/format.h>

namespace arrload::cluster {

Value::Value(unsigned long long u) {
  if (u <= static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max())) {
    v_ = static_cast<std::int64_t>(u);
  } else {
    v_ = static_cast<std::uint64_t>(u);
  }
}

std::optional<bool> Value::as_bool() const {
  if (const bool* b = std::get_if<bool>(&v_)) return *b;
  return std::nullopt;
}

std::optional<std::int64_t> Value::as_int() const {
  if (const std::int64_t* i = std::get_if<std::int64_t>(&v_)) return *i;
  return std::nullopt;
}

std::optional<double> Value::as_number() const {
  switch (kind()) {
    case Kind::kInt:
      return static_cast<double>(std::get<std::int64_t>(v_));
    case Kind::kUint:
      return static_cast<double>(std::get<std::uint64_t>(v_));
    case Kind::kFloat:
      return std::get<double>(v_);
    default:
      return std::nullopt;
  }
}

const Value* Value::find(std::string_view key) const {
  const Map* m = as_map();
  if (m == nullptr) return nullptr;
  for (const auto& [k, v] : *m) {
    const std::string* s = k.as_str();
    if (s != nullptr && *s == key) return &v;
  }
  return nullptr;
}

bool Value::operator==(const Value& other) const {
  if (kind() != other.kind()) return false;
  switch (kind()) {
    case Kind::kArray:
      return *as_array() == *other.as_array();
    case Kind::kMap: {
      const Map& a = *as_map();
      const Map& b = *other.as_map();
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (!(a[i].first == b[i].first) || !(a[i].second == b[i].second)) return false;
      }
      return true;
    }
    default:
      return v_ == other.v_;
  }
}

std::string Value::describe() const {
  constexpr std::size_t kMaxText = 40;
  switch (kind()) {
    case Kind::kNil:
      return "nil";
    case Kind::kBool:
      return std::get<bool>(v_) ? "true" : "false";
    case Kind::kInt:
      return fmt::format("int {}", std::get<std::int64_t>(v_));
    case Kind::kUint:
      return fmt::format("int {}", std::get<std::uint64_t>(v_));
    case Kind::kFloat:
      return fmt::format("float {}", std::get<double>(v_));
    case Kind::kStr: {
      const std::string& s = *as_str();
      return s.size() <= kMaxText
                 ? fmt::format("str '{}'", s)
                 : fmt::format("str '{}...' ({} bytes)", s.substr(0, kMaxText), s.size());
    }
    case Kind::kBin:
      return fmt::format("bin of {} bytes", as_bin()->bytes.size());
    case Kind::kArray:
      return fmt::format("array of {}", as_array()->size());
    case Kind::kMap:
      return fmt::format("map of {}", as_map()->size());
  }
  return "?";
}

}  // namespace arrload::cluster
