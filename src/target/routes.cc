#include "target/routes.h"

#include <charconv>
#include <chrono>
#include <ctime>

#include <fmt/format.h>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace arrload::target {

Router make_router(TargetState& state) {
  Router router;
  add_health_routes(router, state);
  add_library_routes(router, state);
  add_request_routes(router, state);
  add_diagnostic_routes(router, state);
  return router;
}

namespace {

void write_json(const boost::json::value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, value] : v.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        out += boost::json::serialize(boost::json::string_view(key));
        out.push_back(':');
        write_json(value, out);
      }
      out.push_back('}');
      return;
    }
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const boost::json::value& item : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        write_json(item, out);
      }
      out.push_back(']');
      return;
    }
    case boost::json::kind::double_: {
      const std::string text = fmt::format("{}", v.get_double());
      out += text;
      if (text.find_first_of(".eE") == std::string::npos) out += ".0";  // still a float
      return;
    }
    default:  // strings, integers, booleans, null: Boost.JSON already writes them like Python
      out += boost::json::serialize(v);
  }
}

}  // namespace

std::string to_json(const boost::json::value& v) {
  std::string out;
  write_json(v, out);
  return out;
}

Response json_response(int status, std::string body) {
  Response res;
  res.status = status;
  res.body = std::move(body);
  return res;
}

std::string iso_now() {
  const auto now = std::chrono::system_clock::now();
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch());
  const std::time_t seconds = static_cast<std::time_t>(us.count() / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, us.count() % 1'000'000);
}

Response validation_error(std::string_view where, std::string_view name, std::string_view type,
                          std::string_view message, std::string_view input) {
  boost::json::object item;
  item["type"] = type;
  item["loc"] = boost::json::array{where, name};
  item["msg"] = message;
  item["input"] = input;
  boost::json::object body;
  body["detail"] = boost::json::array{item};
  return json_response(422, boost::json::serialize(body));
}

std::optional<long long> parse_int(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace arrload::target
