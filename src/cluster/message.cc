#include "cluster/message.h"

#include <algorithm>

#include <msgpuck.h>

#include <cstdint>
#include <limits>

#include <fmt/format.h>

namespace arrload::cluster {

namespace {

// Grows OUT by SIZE bytes and returns where they start, for msgpuck's encoders to write into.
char* grow(std::string& out, std::size_t size) {
  const std::size_t at = out.size();
  out.resize(at + size);
  return out.data() + at;
}

void encode_string(std::string_view s, bool bin, std::string& out) {
  const auto len = static_cast<std::uint32_t>(s.size());
  char* p = grow(out, bin ? mp_sizeof_binl(len) : mp_sizeof_strl(len));
  if (bin) {
    mp_encode_binl(p, len);
  } else {
    mp_encode_strl(p, len);
  }
  out.append(s);
}

// Decodes one value at a time from [cur_, end_), checking before every read that the bytes are
// there. msgpuck's own mp_check() is not used: its element counter is an int that a crafted
// 32-bit array length wraps around.
class Decoder {
 public:
  Decoder(std::string_view in) : begin_(in.data()), cur_(in.data()), end_(in.data() + in.size()) {}

  // Values under these keys of a map at depth 1 (a message's data) are checked, not built: they
  // decode as nil.
  void skip_keys(std::span<const std::string_view> keys) { skip_ = keys; }

  std::optional<Value> value(int depth) {
    if (depth > kMaxDepth) return fail(fmt::format("nested deeper than {} levels", kMaxDepth));
    if (cur_ >= end_) return fail("truncated: a value is missing");
    switch (mp_typeof(*cur_)) {
      case MP_NIL:
        ++cur_;
        return Value();
      case MP_BOOL:
        return Value(mp_decode_bool(&cur_));
      case MP_UINT:
        if (mp_check_uint(cur_, end_) > 0) return fail("truncated integer");
        return Value(static_cast<unsigned long long>(mp_decode_uint(&cur_)));
      case MP_INT:
        if (mp_check_int(cur_, end_) > 0) return fail("truncated integer");
        return Value(static_cast<long long>(mp_decode_int(&cur_)));
      case MP_FLOAT:
        if (mp_check_float(cur_, end_) > 0) return fail("truncated float");
        return Value(static_cast<double>(mp_decode_float(&cur_)));
      case MP_DOUBLE:
        if (mp_check_double(cur_, end_) > 0) return fail("truncated float");
        return Value(mp_decode_double(&cur_));
      case MP_STR:
      case MP_BIN:
        return bytes(mp_typeof(*cur_) == MP_BIN);
      case MP_ARRAY:
        return array(depth);
      case MP_MAP:
        return map(depth);
      case MP_EXT:
        break;
    }
    return fail(fmt::format("unsupported MessagePack type (byte 0x{:02x}: ext or reserved)",
                            static_cast<unsigned char>(*cur_)));
  }

  bool at_end() const { return cur_ == end_; }
  std::size_t offset() const { return static_cast<std::size_t>(cur_ - begin_); }
  const std::string& error() const { return error_; }

  std::nullopt_t fail(std::string what) {
    if (error_.empty()) error_ = fmt::format("{}, at byte {}", what, offset());
    return std::nullopt;
  }

 private:
  std::size_t left() const { return static_cast<std::size_t>(end_ - cur_); }

  std::optional<Value> bytes(bool bin) {
    if ((bin ? mp_check_binl(cur_, end_) : mp_check_strl(cur_, end_)) > 0) {
      return fail("truncated string length");
    }
    const std::uint32_t len = bin ? mp_decode_binl(&cur_) : mp_decode_strl(&cur_);
    if (len > left()) return fail(fmt::format("truncated: a string of {} bytes", len));
    std::string s(cur_, len);
    cur_ += len;
    if (bin) return Value(Bin{std::move(s)});
    return Value(std::move(s));
  }

  std::optional<Value> array(int depth) {
    if (mp_check_array(cur_, end_) > 0) return fail("truncated array length");
    const std::uint32_t n = mp_decode_array(&cur_);
    // Each element takes at least one byte: a larger count is a lie, and reserving it would let
    // a 5-byte message allocate gigabytes.
    if (n > left()) return fail(fmt::format("truncated: an array of {} elements", n));
    Array out;
    out.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      std::optional<Value> v = value(depth + 1);
      if (!v) return std::nullopt;
      out.push_back(std::move(*v));
    }
    return Value(std::move(out));
  }

  std::optional<Value> map(int depth) {
    if (mp_check_map(cur_, end_) > 0) return fail("truncated map length");
    const std::uint32_t n = mp_decode_map(&cur_);
    if (n > left() / 2) return fail(fmt::format("truncated: a map of {} entries", n));
    Map out;
    out.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      std::optional<Value> k = value(depth + 1);
      if (!k) return std::nullopt;
      if (depth == 1 && skipped(*k)) {
        const char* at = cur_;
        if (cur_ >= end_ || mp_check(&cur_, end_) != 0) {
          cur_ = at;
          return fail("truncated value");
        }
        out.emplace_back(std::move(*k), Value());
        continue;
      }
      std::optional<Value> v = value(depth + 1);
      if (!v) return std::nullopt;
      out.emplace_back(std::move(*k), std::move(*v));
    }
    return Value(std::move(out));
  }

  bool skipped(const Value& key) const {
    const std::string* k = key.as_str();
    return k != nullptr && std::find(skip_.begin(), skip_.end(), *k) != skip_.end();
  }

  const char* begin_;
  const char* cur_;
  const char* end_;
  std::string error_;
  std::span<const std::string_view> skip_;
};

}  // namespace

void encode_value(const Value& v, std::string& out) {
  switch (v.kind()) {
    case Value::Kind::kNil:
      mp_encode_nil(grow(out, mp_sizeof_nil()));
      return;
    case Value::Kind::kBool:
      mp_encode_bool(grow(out, mp_sizeof_bool(*v.as_bool())), *v.as_bool());
      return;
    case Value::Kind::kInt: {
      const std::int64_t i = *v.as_int();
      if (i >= 0) {
        const auto u = static_cast<std::uint64_t>(i);
        mp_encode_uint(grow(out, mp_sizeof_uint(u)), u);
      } else {
        mp_encode_int(grow(out, mp_sizeof_int(i)), i);
      }
      return;
    }
    case Value::Kind::kUint:
      mp_encode_uint(grow(out, mp_sizeof_uint(v.as_uint_raw())), v.as_uint_raw());
      return;
    case Value::Kind::kFloat: {
      const double d = *v.as_number();
      mp_encode_double(grow(out, mp_sizeof_double(d)), d);
      return;
    }
    case Value::Kind::kStr:
      encode_string(*v.as_str(), /*bin=*/false, out);
      return;
    case Value::Kind::kBin:
      encode_string(v.as_bin()->bytes, /*bin=*/true, out);
      return;
    case Value::Kind::kArray: {
      const Array& a = *v.as_array();
      const auto n = static_cast<std::uint32_t>(a.size());
      mp_encode_array(grow(out, mp_sizeof_array(n)), n);
      for (const Value& e : a) encode_value(e, out);
      return;
    }
    case Value::Kind::kMap: {
      const Map& m = *v.as_map();
      const auto n = static_cast<std::uint32_t>(m.size());
      mp_encode_map(grow(out, mp_sizeof_map(n)), n);
      for (const auto& [k, e] : m) {
        encode_value(k, out);
        encode_value(e, out);
      }
      return;
    }
  }
}

std::string encode(const Message& m) {
  std::string out;
  out.reserve(32 + m.type.size() + m.node_id.size());
  mp_encode_array(grow(out, mp_sizeof_array(3)), 3);
  encode_string(m.type, /*bin=*/false, out);
  encode_value(m.data, out);
  encode_string(m.node_id, /*bin=*/false, out);
  return out;
}

std::optional<Value> decode_value(std::string_view bytes, std::string& error,
                                  std::span<const std::string_view> skip_data_keys) {
  Decoder d(bytes);
  d.skip_keys(skip_data_keys);
  std::optional<Value> v = d.value(0);
  if (v && !d.at_end()) v = d.fail("extra bytes after the value");
  if (!v) error = d.error();
  return v;
}

std::optional<Message> decode(std::string_view bytes, std::string& error,
                              std::span<const std::string_view> skip_data_keys) {
  std::optional<Value> v = decode_value(bytes, error, skip_data_keys);
  if (!v) return std::nullopt;
  const Array* a = v->as_array();
  if (a == nullptr || a->size() != 3) {
    error = fmt::format("not a [type, data, node_id] array but {}", v->describe());
    return std::nullopt;
  }
  const std::string* type = (*a)[0].as_str();
  if (type == nullptr) {
    error = fmt::format("the message type is {}, not a string", (*a)[0].describe());
    return std::nullopt;
  }
  Message m;
  m.type = *type;
  m.data = (*a)[1];
  // Locust always sends a string; an absent id is harmless for a worker.
  if (const std::string* id = (*a)[2].as_str()) {
    m.node_id = *id;
  } else if (!(*a)[2].is_nil()) {
    error = fmt::format("the node id is {}, not a string", (*a)[2].describe());
    return std::nullopt;
  }
  return m;
}

}  // namespace arrload::cluster
