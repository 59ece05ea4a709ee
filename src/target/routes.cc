#include "target/routes.h"

#include <charconv>
#include <chrono>
#include <ctime>

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>
#include <boost/json/value.hpp>

#include "target/sqlite.h"

namespace arrload::target {

Router make_router(TargetState& state) {
  Router router;
  add_health_routes(router, state);
  add_library_routes(router, state);
  add_media_routes(router, state);
  add_request_routes(router, state);
  add_activity_routes(router, state);
  add_settings_routes(router, state);
  add_config_routes(router, state);
  add_chat_routes(router, state);
  add_diagnostic_routes(router, state);
  add_admin_routes(router, state);
  Faults& faults = state.faults;
  router.set_gate([&faults](RouteGroup group, const Request& req) -> std::optional<Response> {
    const std::optional<int> status = faults.draw_error(group);
    if (!status) return std::nullopt;
    Response res = internal_error("Injected fault (arrload target)", req.path);
    res.status = *status;
    if (*status != 500) {  // internal_error says "Internal Server Error"
      boost::json::value body = boost::json::parse(res.body);
      body.as_object()["error"] = *status == 502 ? "Bad Gateway" : "Service Unavailable";
      res.body = to_json(body);
    }
    return res;
  });
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

std::string iso_now() { return iso_time(std::chrono::system_clock::now()); }

std::string iso_time(std::chrono::system_clock::time_point now) {
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

std::optional<Response> read_int_query(const Request& req, std::string_view name,
                                       long long default_value, long long lo, long long hi,
                                       long long* out) {
  *out = default_value;
  const std::optional<std::string> text = req.query_param(name);
  if (!text) return std::nullopt;
  const std::optional<long long> value = parse_int(*text);
  if (!value) {
    return validation_error("query", name, "int_parsing",
                            "Input should be a valid integer, unable to parse string as an integer",
                            *text);
  }
  if (*value < lo) {
    return validation_error("query", name, "greater_than_equal",
                            fmt::format("Input should be greater than or equal to {}", lo), *text);
  }
  if (*value > hi) {
    return validation_error("query", name, "less_than_equal",
                            fmt::format("Input should be less than or equal to {}", hi), *text);
  }
  *out = *value;
  return std::nullopt;
}

std::optional<Response> read_paging(const Request& req, long long default_size, long long max_size,
                                    Paging* out) {
  constexpr long long kAnyPage = 1'000'000'000;
  if (auto bad = read_int_query(req, "page", 1, 1, kAnyPage, &out->page)) return bad;
  return read_int_query(req, "page_size", default_size, 1, max_size, &out->page_size);
}

std::optional<Response> read_json_object(const Request& req, boost::json::object* out) {
  // Starlette decodes the body as UTF-8 before parsing it; FastAPI turns that failure into
  // its generic 400, and only a JSON syntax error into the 422 json_invalid.
  if (!is_valid_utf8(req.body)) return error_response(400, "There was an error parsing the body");
  boost::system::error_code ec;
  boost::json::stream_parser parser;
  const std::size_t consumed = parser.write_some(req.body.data(), req.body.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    boost::json::object item{{"type", "json_invalid"},
                             {"loc", boost::json::array{"body", consumed}},
                             {"msg", "JSON decode error"},
                             {"input", boost::json::object{}},
                             {"ctx", boost::json::object{{"error", ec.message()}}}};
    return json_response(422, to_json(boost::json::object{{"detail", boost::json::array{item}}}));
  }
  boost::json::value body = parser.release();
  if (!body.is_object()) {
    boost::json::object item{{"type", "model_attributes_type"},
                             {"loc", boost::json::array{"body"}},
                             {"msg",
                              "Input should be a valid dictionary or object to extract "
                              "fields from"},
                             {"input", body}};
    return json_response(422, to_json(boost::json::object{{"detail", boost::json::array{item}}}));
  }
  *out = std::move(body.get_object());
  return std::nullopt;
}

std::optional<Response> read_string_field(const Request& req, const boost::json::object& obj,
                                          std::string_view name, std::string* out) {
  const boost::json::value* v = obj.if_contains(name);
  if (v == nullptr) return validation_error("body", name, "missing", "Field required", req.body);
  if (!v->is_string()) {
    return validation_error("body", name, "string_type", "Input should be a valid string",
                            to_json(*v));
  }
  *out = std::string(v->get_string());
  return std::nullopt;
}

Response internal_error(std::string_view detail, std::string_view path) {
  boost::json::object body{{"error", "Internal Server Error"},
                           {"detail", detail},
                           {"timestamp", iso_now()},
                           {"path", path}};
  return json_response(500, to_json(body));
}

Response run_db_job(const DbJob& job, Database& db) noexcept {
  try {
    return job(db);
  } catch (const std::exception& e) {
    return internal_error(e.what(), "");
  }
}

std::string mask_key(std::string_view key) {
  if (key.size() < 8) return "****";
  return fmt::format("{}...{}", key.substr(0, 4), key.substr(key.size() - 4));
}

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;  // a continuation byte first, an overlong lead (C0, C1), or beyond F4
    }
    if (extra > text.size() - i - 1) return false;  // truncated
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    const bool overlong = (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

std::size_t utf8_length(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace arrload::target
