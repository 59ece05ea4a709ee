#pragma once
// A dynamic value: what one MessagePack value decodes to, and what Locust puts in a message's
// `data` (dicts with string, integer or float keys, lists, strings, numbers, None).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace arrload::cluster {

class Value;
using Array = std::vector<Value>;
// Keys in the order they were given or decoded; any value may be a key (Locust's per-second
// counts are keyed by integers).
using Map = std::vector<std::pair<Value, Value>>;
// MessagePack's bin type (Python bytes), distinct from str.
struct Bin {
  std::string bytes;
  bool operator==(const Bin&) const = default;
};

class Value {
 public:
  enum class Kind { kNil, kBool, kInt, kUint, kFloat, kStr, kBin, kArray, kMap };

  Value() = default;  // nil
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  Value(int i) : v_(std::int64_t{i}) {}
  Value(long i) : v_(std::int64_t{i}) {}
  Value(long long i) : v_(std::int64_t{i}) {}
  // Stored as an int when it fits (so 5u == 5), as a uint above INT64_MAX.
  Value(unsigned long long u);
  Value(unsigned long u) : Value(static_cast<unsigned long long>(u)) {}
  Value(unsigned u) : v_(std::int64_t{u}) {}
  Value(double d) : v_(d) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(Bin b) : v_(std::move(b)) {}
  Value(Array a) : v_(std::move(a)) {}
  Value(Map m) : v_(std::move(m)) {}

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_nil() const { return kind() == Kind::kNil; }

  // Typed reads: null / nullopt when the value is of another kind.
  std::optional<bool> as_bool() const;
  // An int, or a uint that fits; nullopt otherwise (floats too: say as_number()).
  std::optional<std::int64_t> as_int() const;
  // Any int, uint or float as a double.
  std::optional<double> as_number() const;
  const std::string* as_str() const { return std::get_if<std::string>(&v_); }
  const Bin* as_bin() const { return std::get_if<Bin>(&v_); }
  const Array* as_array() const { return std::get_if<Array>(&v_); }
  const Map* as_map() const { return std::get_if<Map>(&v_); }
  Map* as_map() { return std::get_if<Map>(&v_); }
  std::uint64_t as_uint_raw() const { return std::get<std::uint64_t>(v_); }  // REQUIRES: kUint

  // In a map: the value under the string KEY; null when this is not a map or has no such key.
  const Value* find(std::string_view key) const;

  // Equal kinds and contents (an int and a float are different values).
  bool operator==(const Value& other) const;

  // A short, bounded description for logs ("map of 5", "str 'spawn'", "int 3").
  std::string describe() const;

 private:
  // Index order matches Kind.
  std::variant<std::monostate, bool, std::int64_t, std::uint64_t, double, std::string, Bin, Array,
               Map>
      v_;
};

}  // namespace arrload::cluster
