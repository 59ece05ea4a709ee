#include "engine/ws_message.h"

#include <algorithm>
#include <chrono>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace arrload::engine {
namespace {

namespace json = boost::json;

constexpr std::int64_t kMaxDeliveryUs = 60'000'000;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// Reads exactly N digits at POS of S into OUT; advances POS.
bool digits(std::string_view s, std::size_t& pos, int n, int& out) {
  if (pos + static_cast<std::size_t>(n) > s.size()) return false;
  out = 0;
  for (int i = 0; i < n; ++i) {
    const char c = s[pos++];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

std::string string_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return std::string(v->get_string());
}

}  // namespace

std::optional<std::int64_t> parse_iso8601_us(std::string_view s) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(s, pos, 4, year) || !expect(s, pos, '-') || !digits(s, pos, 2, month) ||
      !expect(s, pos, '-') || !digits(s, pos, 2, day)) {
    return std::nullopt;
  }
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')) return std::nullopt;
  ++pos;
  if (!digits(s, pos, 2, hour) || !expect(s, pos, ':') || !digits(s, pos, 2, minute) ||
      !expect(s, pos, ':') || !digits(s, pos, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int n = 0;
    std::int64_t scale = 100000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 6) micros += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++n;
    }
    if (n == 0 || n > 9) return std::nullopt;
  }
  std::int64_t offset_s = 0;
  if (pos < s.size()) {
    if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      const int sign = s[pos] == '-' ? -1 : 1;
      ++pos;
      int oh = 0, om = 0;
      if (!digits(s, pos, 2, oh) || !expect(s, pos, ':') || !digits(s, pos, 2, om) ||
          pos != s.size() || oh > 23 || om > 59) {
        return std::nullopt;
      }
      offset_s = std::int64_t{sign} * (std::int64_t{oh} * 3600 + std::int64_t{om} * 60);
    } else {
      return std::nullopt;
    }
  }
  const std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const std::int64_t seconds =
      days * 86400 + std::int64_t{hour} * 3600 + std::int64_t{minute} * 60 + second - offset_s;
  return seconds * 1'000'000 + micros;
}

WsMessageInfo inspect_ws_message(std::string_view text) {
  WsMessageInfo info;
  // Cheap test first: most non-JSON text never reaches the parser.
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || text[first] != '{') return info;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return info;
  const json::object& o = v.get_object();
  info.json = true;
  info.type = string_member(o, "type");
  if (info.type == "event") info.event_type = string_member(o, "event_type");
  if (const json::value* ts = o.if_contains("timestamp"); ts != nullptr && ts->is_string()) {
    info.timestamp_us = parse_iso8601_us(ts->get_string());
  }
  return info;
}

core::Micros delivery_latency_us(std::optional<std::int64_t> stamp_us, std::int64_t now_us) {
  if (!stamp_us) return 0;
  return std::clamp<std::int64_t>(now_us - *stamp_us, 0, kMaxDeliveryUs);
}

void ws_message_name(std::string_view base, const WsMessageInfo& info, std::string& out) {
  out.assign(base);
  out.push_back(' ');
  if (info.type.empty()) {
    out.append("message");
  } else if (info.type == "event" && !info.event_type.empty()) {
    out.append("event:");
    out.append(info.event_type);
  } else {
    out.append(info.type);
  }
}

std::int64_t wall_unix_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace arrload::engine
