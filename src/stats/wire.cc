#include "stats/wire.h"

#include <msgpuck.h>

#include <fmt/format.h>

namespace arrload::stats::wire {

namespace {

constexpr std::size_t kMaxHeader = 9;  // the longest MessagePack header or scalar

const char* type_name(mp_type t) {
  switch (t) {
    case MP_NIL:
      return "nil";
    case MP_UINT:
      return "an unsigned integer";
    case MP_INT:
      return "a negative integer";
    case MP_STR:
      return "a string";
    case MP_BIN:
      return "bin";
    case MP_ARRAY:
      return "an array";
    case MP_MAP:
      return "a map";
    case MP_BOOL:
      return "a boolean";
    case MP_FLOAT:
      return "a float";
    case MP_DOUBLE:
      return "a double";
    case MP_EXT:
      return "an extension or reserved byte";
  }
  return "an unknown type";
}

}  // namespace

void Writer::array(std::size_t size) {
  char buf[kMaxHeader];
  out_.append(buf, mp_encode_array(buf, static_cast<std::uint32_t>(size)));
}

void Writer::uint(std::uint64_t v) {
  char buf[kMaxHeader];
  out_.append(buf, mp_encode_uint(buf, v));
}

void Writer::sint(std::int64_t v) {
  if (v >= 0) {
    uint(static_cast<std::uint64_t>(v));
    return;
  }
  char buf[kMaxHeader];
  out_.append(buf, mp_encode_int(buf, v));
}

void Writer::dbl(double v) {
  char buf[kMaxHeader];
  out_.append(buf, mp_encode_double(buf, v));
}

void Writer::str(std::string_view s) {
  char buf[kMaxHeader];
  out_.append(buf, mp_encode_strl(buf, static_cast<std::uint32_t>(s.size())));
  out_.append(s);
}

void Writer::bin(std::string_view s) {
  char buf[kMaxHeader];
  out_.append(buf, mp_encode_binl(buf, static_cast<std::uint32_t>(s.size())));
  out_.append(s);
}

void Writer::nil() {
  char buf[kMaxHeader];
  out_.append(buf, mp_encode_nil(buf));
}

Reader::Reader(std::string_view in)
    : begin_(in.data()), cur_(in.data()), end_(in.data() + in.size()) {}

void Reader::fail(std::string_view what) {
  if (!ok()) return;
  error_ = fmt::format("stats encoding: {}, at byte {}", what, offset());
  cur_ = end_;  // nothing more is read
}

bool Reader::at(int type, const char* what) {
  if (!ok()) return false;
  if (cur_ >= end_) {
    fail(fmt::format("truncated: {} expected", what));
    return false;
  }
  const mp_type have = mp_typeof(*cur_);
  if (have != type) {
    fail(fmt::format("{} expected ({}), found {}", type_name(static_cast<mp_type>(type)), what,
                     type_name(have)));
    return false;
  }
  // Every type read here has a check that the header (or scalar) is complete; each returns > 0
  // when bytes are missing.
  ptrdiff_t missing = 0;
  switch (have) {
    case MP_ARRAY:
      missing = mp_check_array(cur_, end_);
      break;
    case MP_UINT:
      missing = mp_check_uint(cur_, end_);
      break;
    case MP_INT:
      missing = mp_check_int(cur_, end_);
      break;
    case MP_DOUBLE:
      missing = mp_check_double(cur_, end_);
      break;
    case MP_STR:
      missing = mp_check_strl(cur_, end_);
      break;
    case MP_BIN:
      missing = mp_check_binl(cur_, end_);
      break;
    default:
      break;
  }
  if (missing > 0) {
    fail(fmt::format("truncated {}", what));
    return false;
  }
  return true;
}

std::uint32_t Reader::array(const char* what) {
  if (!at(MP_ARRAY, what)) return 0;
  return mp_decode_array(&cur_);
}

bool Reader::array_of(std::uint32_t size, const char* what) {
  const std::size_t start = offset();
  const std::uint32_t n = array(what);
  if (!ok()) return false;
  if (n != size) {
    cur_ = begin_ + start;
    fail(fmt::format("{} has {} fields, {} expected", what, n, size));
    return false;
  }
  return true;
}

std::uint64_t Reader::uint(const char* what) {
  if (!at(MP_UINT, what)) return 0;
  return mp_decode_uint(&cur_);
}

std::int64_t Reader::sint(const char* what) {
  if (!ok()) return 0;
  if (cur_ < end_ && mp_typeof(*cur_) == MP_INT) {
    if (!at(MP_INT, what)) return 0;
    return mp_decode_int(&cur_);
  }
  const std::size_t start = offset();
  const std::uint64_t v = uint(what);
  if (v > static_cast<std::uint64_t>(INT64_MAX)) {
    cur_ = begin_ + start;
    fail(fmt::format("{} out of range", what));
    return 0;
  }
  return static_cast<std::int64_t>(v);
}

double Reader::dbl(const char* what) {
  if (!at(MP_DOUBLE, what)) return 0;
  return mp_decode_double(&cur_);
}

std::string Reader::str(const char* what) {
  if (!at(MP_STR, what)) return {};
  const std::uint32_t len = mp_decode_strl(&cur_);
  if (len > static_cast<std::size_t>(end_ - cur_)) {
    fail(fmt::format("truncated {}: {} bytes announced, {} left", what, len, end_ - cur_));
    return {};
  }
  std::string s(cur_, len);
  cur_ += len;
  return s;
}

std::string_view Reader::bin(const char* what) {
  if (!at(MP_BIN, what)) return {};
  const std::uint32_t len = mp_decode_binl(&cur_);
  if (len > static_cast<std::size_t>(end_ - cur_)) {
    fail(fmt::format("truncated {}: {} bytes announced, {} left", what, len, end_ - cur_));
    return {};
  }
  std::string_view s(cur_, len);
  cur_ += len;
  return s;
}

bool Reader::nil() {
  if (!ok() || cur_ >= end_ || mp_typeof(*cur_) != MP_NIL) return false;
  mp_decode_nil(&cur_);
  return true;
}

void Reader::expect_end() {
  if (ok() && cur_ != end_) fail(fmt::format("{} trailing bytes", end_ - cur_));
}

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool get_varint(const char** p, const char* end, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*p >= end) return false;
    const auto byte = static_cast<std::uint8_t>(**p);
    ++*p;
    // The tenth byte may only carry the 64th bit.
    if (shift == 63 && byte > 1) return false;
    v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return shift == 0 || byte != 0;  // a zero last byte is overlong
  }
  return false;
}

}  // namespace arrload::stats::wire
