#include "cli/locust_json.h"

#include <cmath>

#include <fmt/format.h>

#include "scenario/escape.h"

namespace arrload::cli {

namespace {

// As json.dumps quotes a string (control characters escaped; UTF-8 kept, which every JSON
// reader takes, where json.dumps would write \uXXXX).
void quote(const std::string& s, std::string& out) {
  out += '"';
  scenario::append_json_escaped(s, out);
  out += '"';
}

std::string python_float(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  std::string s = fmt::format("{}", d);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// A map key as json.dumps turns it into a string.
std::string key_text(const cluster::Value& k) {
  using Kind = cluster::Value::Kind;
  switch (k.kind()) {
    case Kind::kStr:
      return *k.as_str();
    case Kind::kNil:
      return "null";
    case Kind::kBool:
      return *k.as_bool() ? "true" : "false";
    case Kind::kFloat:
      return python_float(*k.as_number());
    case Kind::kUint:
      return std::to_string(k.as_uint_raw());
    case Kind::kInt:
      return std::to_string(*k.as_int());
    default:
      return k.describe();
  }
}

void write(const cluster::Value& v, int depth, std::string& out) {
  using Kind = cluster::Value::Kind;
  const std::string pad(static_cast<std::size_t>(depth + 1) * 4, ' ');
  const std::string close_pad(static_cast<std::size_t>(depth) * 4, ' ');
  switch (v.kind()) {
    case Kind::kNil:
      out += "null";
      return;
    case Kind::kBool:
      out += *v.as_bool() ? "true" : "false";
      return;
    case Kind::kInt:
      out += std::to_string(*v.as_int());
      return;
    case Kind::kUint:
      out += std::to_string(v.as_uint_raw());
      return;
    case Kind::kFloat:
      out += python_float(*v.as_number());
      return;
    case Kind::kStr:
      quote(*v.as_str(), out);
      return;
    case Kind::kBin:
      quote(v.as_bin()->bytes, out);
      return;
    case Kind::kArray: {
      const cluster::Array& a = *v.as_array();
      if (a.empty()) {
        out += "[]";
        return;
      }
      out += "[\n";
      for (std::size_t i = 0; i < a.size(); ++i) {
        out += pad;
        write(a[i], depth + 1, out);
        out += i + 1 < a.size() ? ",\n" : "\n";
      }
      out += close_pad + "]";
      return;
    }
    case Kind::kMap: {
      const cluster::Map& m = *v.as_map();
      if (m.empty()) {
        out += "{}";
        return;
      }
      out += "{\n";
      for (std::size_t i = 0; i < m.size(); ++i) {
        out += pad;
        quote(key_text(m[i].first), out);
        out += ": ";
        write(m[i].second, depth + 1, out);
        out += i + 1 < m.size() ? ",\n" : "\n";
      }
      out += close_pad + "}";
      return;
    }
  }
}

}  // namespace

std::string python_json(const cluster::Value& value) {
  std::string out;
  write(value, 0, out);
  return out;
}

std::string LocustJson::finish(double now_unix) {
  const cluster::Value data = reporter_.report(now_unix);
  const cluster::Value* entries = data.find("stats");
  return python_json(entries ? *entries : cluster::Value(cluster::Array{})) + "\n";
}

}  // namespace arrload::cli
