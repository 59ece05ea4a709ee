// Diagnostic routes for arrload's own tests (not part of the AutoArr API; see docs/target.md):
//   GET  /__target/status/{code}  answers with that status (200..599) and {"status": code}
//   GET  /__target/sleep/{ms}     answers {"slept_ms": ms} after ms milliseconds (timer, exact)
//   ANY  /__target/echo           answers {method, path, query, headers: {...}, body}
//   GET  /__target/close          closes the connection without answering
//   GET  /__target/stats          answers {requests_served, open_connections,
//   websocket_connections,
//                                 rss_bytes, ...}
#include <cctype>

#include <boost/json/value.hpp>

#include "target/process_stats.h"
#include "target/routes.h"

namespace arrload::target {
namespace {

namespace json = boost::json;

constexpr long long kMaxSleepMs = 600'000;

Response status_code(const Request& req) {
  const std::optional<long long> code = parse_int(req.param("code"));
  if (!code) {
    return validation_error("path", "code", "int_parsing", "Input should be a valid integer",
                            req.param("code"));
  }
  if (*code < 200 || *code > 599) return error_response(400, "status must be 200..599");
  // These statuses carry no body by definition.
  if (*code == 204 || *code == 304) return json_response(static_cast<int>(*code), "");
  return json_response(static_cast<int>(*code), to_json(json::object{{"status", *code}}));
}

Response sleep_ms(const Request& req) {
  const std::optional<long long> ms = parse_int(req.param("ms"));
  if (!ms || *ms < 0 || *ms > kMaxSleepMs) {
    return validation_error("path", "ms", "int_parsing", "Input should be an integer 0..600000",
                            req.param("ms"));
  }
  Response res = json_response(200, to_json(json::object{{"slept_ms", *ms}}));
  res.fixed_delay_ms = static_cast<double>(*ms);
  return res;
}

Response echo(const Request& req) {
  json::object headers;
  for (const auto& [name, value] : req.headers) {
    std::string key(name);
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    headers[key] = value;
  }
  json::object body{{"method", req.method},
                    {"path", req.path},
                    {"query", req.query},
                    {"headers", std::move(headers)},
                    {"body", req.body}};
  return json_response(200, to_json(body));
}

}  // namespace

void add_diagnostic_routes(Router& router, TargetState& state) {
  router.add("GET", "/__target/status/{code}", 0, status_code);
  router.add("GET", "/__target/sleep/{ms}", 0, sleep_ms);
  router.add("*", "/__target/echo", 0, echo);
  router.add("GET", "/__target/close", 0, [](const Request&) {
    Response res;
    res.drop_connection = true;
    return res;
  });
  const Counters& counters = state.counters;
  const Faults& faults = state.faults;
  router.add("GET", "/__target/stats", 0, [&counters, &faults](const Request&) {
    json::object body{{"requests_served", counters.requests_served.load()},
                      {"open_connections", counters.open_connections.load()},
                      {"websocket_connections", counters.websocket_connections.load()},
                      {"websocket_dropped_messages", counters.websocket_dropped_messages.load()},
                      {"rss_bytes", rss_bytes()},
                      {"leaked_bytes", faults.leaked_bytes()},
                      {"injected_errors", faults.injected_errors.load()},
                      {"injected_resets", faults.injected_resets.load()},
                      {"held_responses", faults.held_responses.load()}};
    return json_response(200, to_json(body));
  });
}

}  // namespace arrload::target
