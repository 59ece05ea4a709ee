#pragma once
// MessagePack primitives for stats/codec: a writer appending to a string and a bounds-checked
// reader for untrusted input. msgpuck stays behind these two classes (in wire.cc).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace arrload::stats::wire {

// Appends MessagePack values to OUT, in the smallest form for each value.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void array(std::size_t size);
  void uint(std::uint64_t v);
  void sint(std::int64_t v);  // as uint when >= 0
  void dbl(double v);         // always 64-bit, bit for bit
  void str(std::string_view s);
  void bin(std::string_view s);
  void nil();

 private:
  std::string& out_;
};

// Reads MessagePack values from a buffer it never reads outside of. The first problem (a wrong
// type, a truncated value, a check that failed) is kept with its byte offset; from then on
// every read returns an empty value and ok() is false, so a caller checks once per group of reads
// and stops any loop over a count as soon as !ok().
class Reader {
 public:
  explicit Reader(std::string_view in);

  bool ok() const { return error_.empty(); }
  // "stats encoding: <what>, at byte <offset>"; empty while ok().
  const std::string& error() const { return error_; }
  // Records WHAT as the error at the current position, unless one is already recorded.
  void fail(std::string_view what);
  std::size_t offset() const { return static_cast<std::size_t>(cur_ - begin_); }

  // WHAT names the value for the error message ("an endpoint's name").
  std::uint32_t array(const char* what);
  // An array of exactly SIZE elements; false (and an error) otherwise.
  bool array_of(std::uint32_t size, const char* what);
  std::uint64_t uint(const char* what);
  std::int64_t sint(const char* what);  // an uint up to INT64_MAX or a negative int
  double dbl(const char* what);
  std::string str(const char* what);
  // A view into the input (valid while it is).
  std::string_view bin(const char* what);
  // Consumes a nil and returns true if the next value is one; otherwise reads nothing.
  bool nil();
  // Fails unless the whole input has been read.
  void expect_end();

 private:
  // True when a value of msgpuck type TYPE starts at cur_ and its header is complete.
  bool at(int type, const char* what);
  const char* begin_;
  const char* cur_;
  const char* end_;
  std::string error_;
};

// Unsigned LEB128 ("varint": 7 bits a byte, low bits first), for the histogram bucket lists.
void put_varint(std::string& out, std::uint64_t v);
// Reads one varint from [*P, END) and advances *P; false when it is truncated, longer than
// 64 bits or not in its shortest form.
bool get_varint(const char** p, const char* end, std::uint64_t& v);

}  // namespace arrload::stats::wire
