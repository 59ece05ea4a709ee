// The target's own admin routes (not part of AutoArr; never faulted, never logged). The fault
// endpoint changes what the server does for everyone, so it exists only with Options::admin
// (`arrload target --admin`); without it the path is 404 like any unknown one:
//   GET            /__target/faults   the fault knobs and their state
//   PUT or POST    /__target/faults   sets the knobs named in a JSON object (the rest keep theirs)
//   DELETE         /__target/faults   clears every knob and frees the leaked memory
//   GET            /metrics           Prometheus text, as a Python service's prometheus_client
#include <chrono>

#include <fmt/format.h>
#include <boost/json/value.hpp>

#include "target/faults.h"
#include "target/process_stats.h"
#include "target/routes.h"

namespace arrload::target {
namespace {

namespace json = boost::json;

Response faults_state(const Faults& faults) {
  json::object body = fault_config_json(faults.config());
  body["state"] = json::object{{"warming_up", faults.warming_up()},
                               {"warmup_done_at", faults.warmup_done_at()},
                               {"leaked_bytes", faults.leaked_bytes()},
                               {"injected_errors", faults.injected_errors.load()},
                               {"injected_resets", faults.injected_resets.load()},
                               {"held_responses", faults.held_responses.load()}};
  return json_response(200, to_json(body));
}

Response set_faults(Faults& faults, const Request& req) {
  json::object obj;
  if (auto bad = read_json_object(req, &obj)) return *bad;
  FaultConfig config = faults.config();
  if (auto error = update_fault_config(obj, &config)) return error_response(422, *error);
  const bool stalls = obj.contains("stall_seconds") || obj.contains("stall_every_seconds");
  faults.set(config, stalls, obj.contains("warmup_seconds"));
  return faults_state(faults);
}

void metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            std::string_view value) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name,
                 type, name, value);
}

Response metrics(const Counters& counters, double start_time) {
  std::string out;
  metric(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
         fmt::format("{}", rss_bytes()));
  metric(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
         fmt::format("{}", virtual_memory_bytes()));
  metric(out, "process_cpu_seconds_total", "counter",
         "Total user and system CPU time spent in seconds.", fmt::format("{:.2f}", cpu_seconds()));
  metric(out, "process_open_fds", "gauge", "Number of open file descriptors.",
         fmt::format("{}", open_fds()));
  metric(out, "process_start_time_seconds", "gauge",
         "Start time of the process since unix epoch in seconds.",
         fmt::format("{:.2f}", start_time));
  out += "# HELP http_requests_total Total number of requests by status class.\n";
  out += "# TYPE http_requests_total counter\n";
  for (int c = 1; c <= 5; ++c) {
    fmt::format_to(std::back_inserter(out), "http_requests_total{{status=\"{}xx\"}} {}\n", c,
                   counters.by_class[static_cast<std::size_t>(c)].load());
  }
  Response res = json_response(200, std::move(out));
  res.headers.emplace_back("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  return res;
}

void add_fault_routes(Router& router, Faults& faults) {
  router.add("GET", "/__target/faults", 0,
             [&faults](const Request&) { return faults_state(faults); });
  for (const char* method : {"PUT", "POST"}) {
    router.add(method, "/__target/faults", 0,
               [&faults](const Request& req) { return set_faults(faults, req); });
  }
  router.add("DELETE", "/__target/faults", 0, [&faults](const Request&) {
    faults.clear();
    return faults_state(faults);
  });
}

}  // namespace

void add_admin_routes(Router& router, TargetState& state) {
  if (state.admin) add_fault_routes(router, state.faults);
  const Counters& counters = state.counters;
  const double start_time =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  router.add("GET", "/metrics", 0,
             [&counters, start_time](const Request&) { return metrics(counters, start_time); });
}

}  // namespace arrload::target
