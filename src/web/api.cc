#include "web/api.h"

#include <unistd.h>

#include <cmath>
#include <variant>

#include <fmt/format.h>
#include <boost/json.hpp>
#include <boost/url/parse_query.hpp>

#include "core/log_ring.h"
#include "monitor/memory.h"
#include "monitor/self_check.h"
#include "report/csv.h"
#include "report/json_fields.h"

namespace arrload::web {

namespace json = boost::json;

std::string_view state_name(RunState s) {
  switch (s) {
    case RunState::kReady:
      return "ready";
    case RunState::kSpawning:
      return "spawning";
    case RunState::kRunning:
      return "running";
    case RunState::kStopped:
      return "stopped";
  }
  return "ready";
}

namespace {

double ms(std::uint64_t micros) { return static_cast<double>(micros) / 1000.0; }

json::object row_json(const stats::Snapshot& snap, const stats::EndpointStats& s) {
  const stats::Entry& t = s.total;
  json::object o;
  report::add_entry_head(o, s, "");
  o["median_response_time"] = ms(t.latency.percentile(0.5));
  o["current_rps"] = s.current_rps;
  o["current_fail_per_sec"] = s.current_fail_per_sec;
  o["total_rps"] = snap.total_rps(s);
  o["total_fail_per_sec"] = snap.total_fail_per_sec(s);
  o["response_time_percentile_0.95"] = ms(t.latency.percentile(0.95));
  o["response_time_percentile_0.99"] = ms(t.latency.percentile(0.99));
  o["avg_content_length"] = report::avg_content_length(t);
  return o;
}

json::object verdict_json(const budget::Verdict& v) {
  json::array checks;
  for (const budget::Check& c : v.checks) {
    checks.push_back(json::object{{"subject", c.subject},
                                  {"category", c.category},
                                  {"budget", c.threshold.describe()},
                                  {"actual", c.describe_actual()},
                                  {"margin", c.margin},
                                  {"pass", c.pass}});
  }
  json::array criteria;
  for (const budget::Criterion& c : v.criteria) {
    criteria.push_back(json::object{{"name", c.name}, {"detail", c.detail}, {"pass", c.pass}});
  }
  return json::object{{"pass", v.pass()},
                      {"exit_code", v.exit_code()},
                      {"checks", std::move(checks)},
                      {"criteria", std::move(criteria)}};
}

HttpResponse json_response(const json::value& v, int status = 200) {
  HttpResponse r;
  r.status = status;
  r.body = json::serialize(v);
  return r;
}

HttpResponse not_yet(std::string_view what) {
  return json_response(
      json::object{{"success", false}, {"message", fmt::format("{}: no test has run yet", what)}},
      404);
}

// Whether the request's query sets KEY to a true value ("?download=1", "?download=true").
bool query_flag(const std::string& target, std::string_view key) {
  const std::size_t q = target.find('?');
  if (q == std::string::npos) return false;
  auto params = boost::urls::parse_query(std::string_view(target).substr(q + 1));
  if (!params) return false;
  for (const auto& p : *params) {
    if (p.key.decode() != key) continue;
    const std::string v = p.has_value ? p.value.decode() : std::string();
    return v.empty() || v == "1" || v == "true" || v == "yes";
  }
  return false;
}

// BODY of CONTENT_TYPE, inline or (DOWNLOAD: ?download=1, the CSVs) as an attachment FILE_NAME.
HttpResponse file_response(std::string body, std::string content_type, bool download,
                           std::string_view file_name) {
  HttpResponse r;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  if (download) {
    r.headers.emplace_back("Content-Disposition",
                           fmt::format("attachment; filename=\"{}\"", file_name));
  }
  return r;
}

HttpResponse csv_response(std::string body, std::string_view file_name) {
  return file_response(std::move(body), "text/csv; charset=utf-8", /*download=*/true, file_name);
}

// A JSON number, or null when V is not finite or FALSE.
json::value maybe(double v, bool known = true) {
  if (!known || !std::isfinite(v)) return nullptr;
  return v;
}

std::optional<double> number(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Reads /swarm's form (application/x-www-form-urlencoded, as Locust's page sends it).
std::variant<SwarmRequest, std::string> parse_swarm(const std::string& body) {
  auto params = boost::urls::parse_query(body);
  if (!params) return std::string("the form is not valid application/x-www-form-urlencoded");
  SwarmRequest r;
  std::optional<double> users, rate;
  for (const auto& p : *params) {
    boost::urls::encoding_opts form;
    form.space_as_plus = true;  // an HTML form encodes spaces as '+'
    const std::string key = p.key.decode(form);
    const std::string value = p.has_value ? p.value.decode(form) : std::string();
    if (key == "user_count") {
      users = number(value);
      if (!users || *users < 0 || *users != std::floor(*users) || *users > 10'000'000) {
        return fmt::format("user_count: '{}' is not a whole number of users", value);
      }
    } else if (key == "spawn_rate") {
      rate = number(value);
      if (!rate || *rate <= 0) return fmt::format("spawn_rate: '{}' is not a positive rate", value);
    } else if (key == "host") {
      r.host = value;
    } else if (key == "run_time") {
      r.run_time = value;
    } else if (key == "profile") {
      r.profile = value;
    }
  }
  if (r.profile.empty() && (!users || !rate)) {
    return std::string("user_count and spawn_rate are required (or a profile)");
  }
  r.users = users ? static_cast<int>(*users) : -1;
  r.spawn_rate = rate.value_or(-1);
  return r;
}

}  // namespace

std::string stats_requests_json(const stats::Snapshot* snap, RunState state,
                                const budget::Verdict* verdict, const std::string& host,
                                const std::string& last_error,
                                const std::vector<WorkerRow>* workers) {
  json::object o;
  if (workers != nullptr) {
    json::array list;
    for (const WorkerRow& w : *workers) {
      list.push_back(json::object{{"id", w.id},
                                  {"state", w.state},
                                  {"user_count", w.user_count},
                                  {"cpu_usage", w.cpu_usage},
                                  {"memory_usage", w.memory_usage}});
    }
    o["worker_count"] = workers->size();
    o["workers"] = std::move(list);
  }
  json::array rows;
  json::array errors;
  if (snap != nullptr) {
    for (const stats::EndpointStats& s : snap->endpoints) rows.push_back(row_json(*snap, s));
    rows.push_back(row_json(*snap, snap->aggregated));
    for (const auto& [key, count] : snap->errors) {
      errors.push_back(json::object{{"method", key.method},
                                    {"name", key.name},
                                    {"error", key.message},
                                    {"occurrences", count.occurrences}});
    }
    const stats::EndpointStats& a = snap->aggregated;
    o["total_rps"] = snap->total_rps(a);
    o["total_fail_per_sec"] = snap->total_fail_per_sec(a);
    o["fail_ratio"] = snap->fail_ratio();
    o["current_rps"] = a.current_rps;
    o["current_fail_per_sec"] = a.current_fail_per_sec;
    o["current_response_time_percentiles"] =
        json::object{{"response_time_percentile_0.5", ms(a.recent.latency.percentile(0.5))},
                     {"response_time_percentile_0.95", ms(a.recent.latency.percentile(0.95))},
                     {"response_time_percentile_0.99", ms(a.recent.latency.percentile(0.99))}};
    o["user_count"] = snap->user_count;
    o["elapsed_s"] = snap->elapsed_s;
    o["taken_unix"] = snap->taken_unix;
  } else {
    o["total_rps"] = 0.0;
    o["total_fail_per_sec"] = 0.0;
    o["fail_ratio"] = 0.0;
    o["current_rps"] = 0.0;
    o["current_fail_per_sec"] = 0.0;
    o["current_response_time_percentiles"] = json::object{};
    o["user_count"] = 0;
  }
  o["stats"] = std::move(rows);
  o["errors"] = std::move(errors);
  o["state"] = state_name(state);
  o["host"] = host;
  o["last_error"] = last_error;
  if (verdict != nullptr) {
    o["verdict"] = verdict_json(*verdict);
  } else {
    o["verdict"] = nullptr;
  }
  return json::serialize(o);
}

std::string timeline_json(const Timeline& timeline) {
  json::array points;
  for (const report::HistoryPoint& p : timeline.points) {
    points.push_back(json::object{{"t", p.t_s},
                                  {"users", p.users},
                                  {"rps", p.rps},
                                  {"fail_per_s", p.fail_per_s},
                                  {"p50", maybe(p.p50_ms, p.has_latency)},
                                  {"p95", maybe(p.p95_ms, p.has_latency)},
                                  {"p99", maybe(p.p99_ms, p.has_latency)},
                                  {"cpu", maybe(p.generator_cpu, p.generator_cpu >= 0)}});
  }
  json::array memory;
  for (const monitor::MemorySample& m : timeline.memory) {
    const double t = timeline.origin_unix > 0 && m.unix_seconds > 0
                         ? m.unix_seconds - timeline.origin_unix
                         : m.t_seconds;
    memory.push_back(json::object{
        {"t", t}, {"rss_mib", maybe(static_cast<double>(m.rss_bytes) / (1024.0 * 1024.0), m.ok)}});
  }
  return json::serialize(json::object{{"origin_unix", timeline.origin_unix},
                                      {"points", std::move(points)},
                                      {"target_memory", std::move(memory)},
                                      {"memory_source", timeline.memory_source}});
}

namespace {

// TASKS as {name: {"ratio": r * SCALE / PARENT, "tasks": {...}}} ("tasks" only for a group).
// With RELATIVE (Locust's per_class), a nested task's ratio is its share of its own group's
// picks: PARENT is then the group's ratio.
json::object task_tree(const std::vector<scenario::TaskShare>& tasks, double scale, double parent,
                       bool relative) {
  json::object o;
  for (const scenario::TaskShare& t : tasks) {
    json::object entry{{"ratio", parent > 0 ? t.ratio * scale / parent : 0.0}};
    if (!t.tasks.empty()) {
      entry["tasks"] = task_tree(t.tasks, scale, relative ? t.ratio : 1.0, relative);
    }
    o[t.name] = std::move(entry);
  }
  return o;
}

}  // namespace

std::string tasks_json(const std::vector<ClassTasks>& classes) {
  json::object per_class, total;
  for (const ClassTasks& c : classes) {
    per_class[c.name] =
        json::object{{"ratio", c.share}, {"tasks", task_tree(c.tasks, 1.0, 1.0, true)}};
    total[c.name] =
        json::object{{"ratio", c.share}, {"tasks", task_tree(c.tasks, c.share, 1.0, false)}};
  }
  return json::serialize(
      json::object{{"per_class", std::move(per_class)}, {"total", std::move(total)}});
}

namespace {

// ---- routes: each answers one path, given the request and the UI's page ----

HttpResponse page_route(Control&, const HttpRequest&, std::string_view page) {
  HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::string(page);
  return r;
}

HttpResponse swarm_route(Control& control, const HttpRequest& request, std::string_view) {
  auto parsed = parse_swarm(request.body);
  if (auto* error = std::get_if<std::string>(&parsed)) {
    return json_response(json::object{{"success", false}, {"message", *error}}, 400);
  }
  const SwarmRequest& swarm = std::get<SwarmRequest>(parsed);
  std::string error = control.swarm(swarm);
  if (!error.empty()) {
    return json_response(json::object{{"success", false}, {"message", error}}, 400);
  }
  return json_response(json::object{
      {"success", true},
      {"message",
       swarm.profile.empty()
           ? fmt::format("Swarming started: {} users at {:g}/s", swarm.users, swarm.spawn_rate)
           : fmt::format("Swarming started: profile {}", swarm.profile)},
      {"host", control.host()}});
}

HttpResponse stop_route(Control& control, const HttpRequest&, std::string_view) {
  const bool stopped = control.stop();
  return json_response(json::object{{"success", stopped},
                                    {"message", stopped ? "Test stopped" : "No test is running"}});
}

HttpResponse reset_route(Control& control, const HttpRequest&, std::string_view) {
  control.reset_stats();
  return json_response(json::object{{"success", true}, {"message", "Statistics reset"}});
}

HttpResponse requests_route(Control& control, const HttpRequest&, std::string_view) {
  auto snap = control.snapshot();
  auto verdict = control.verdict();
  auto workers = control.workers();
  HttpResponse r;
  r.body =
      stats_requests_json(snap ? &*snap : nullptr, control.state(), verdict ? &*verdict : nullptr,
                          control.host(), control.last_error(), workers ? &*workers : nullptr);
  return r;
}

HttpResponse history_route(Control& control, const HttpRequest&, std::string_view) {
  HttpResponse r;
  r.body = timeline_json(control.timeline());
  return r;
}

HttpResponse report_route(Control& control, const HttpRequest& request, std::string_view) {
  auto html = control.report_html();
  if (!html) return not_yet("/stats/report");
  return file_response(std::move(*html), "text/html; charset=utf-8",
                       query_flag(request.target, "download"), "arrload-report.html");
}

HttpResponse report_json_route(Control& control, const HttpRequest& request, std::string_view) {
  auto body = control.report_json();
  if (!body) return not_yet("/stats/report/json");
  return file_response(std::move(*body), "application/json", query_flag(request.target, "download"),
                       "arrload-report.json");
}

HttpResponse full_history_route(Control& control, const HttpRequest&, std::string_view) {
  auto csv = control.full_history_csv();
  if (!csv) {
    return json_response(
        json::object{{"success", false},
                     {"message",
                      "no history CSV: start arrload with --csv PREFIX (and --csv-full-history "
                      "for every endpoint's rows)"}},
        404);
  }
  return csv_response(std::move(*csv), "requests_full_history.csv");
}

HttpResponse exceptions_route(Control& control, const HttpRequest&, std::string_view) {
  // Locust's shape; arrload's exceptions are scenario errors, without a Python traceback.
  json::array list;
  if (auto snap = control.snapshot()) {
    for (const auto& [message, count] : snap->exceptions) {
      list.push_back(
          json::object{{"count", count}, {"msg", message}, {"traceback", ""}, {"nodes", "local"}});
    }
  }
  return json_response(json::object{{"exceptions", std::move(list)}});
}

HttpResponse logs_route(Control&, const HttpRequest&, std::string_view) {
  // Locust's shape: this process is the "master"; there are no workers.
  json::array lines;
  for (std::string& line : core::LogRing::process().lines()) lines.push_back(json::string(line));
  return json_response(json::object{{"master", std::move(lines)}, {"workers", json::object{}}});
}

HttpResponse tasks_route(Control& control, const HttpRequest&, std::string_view) {
  HttpResponse r;
  r.body = tasks_json(control.tasks());
  return r;
}

HttpResponse profiles_route(Control& control, const HttpRequest&, std::string_view) {
  json::array names;
  for (const std::string& p : control.profiles()) names.push_back(json::string(p));
  return json_response(names);
}

// The snapshot's CSV file written by WRITE (an empty one before the first run).
HttpResponse snapshot_csv(Control& control, std::string (*write)(const stats::Snapshot&),
                          std::string_view file_name) {
  auto snap = control.snapshot();
  stats::Snapshot empty;
  return csv_response(write(snap ? *snap : empty), file_name);
}

HttpResponse requests_csv_route(Control& control, const HttpRequest&, std::string_view) {
  return snapshot_csv(control, report::stats_csv, "requests.csv");
}

HttpResponse failures_csv_route(Control& control, const HttpRequest&, std::string_view) {
  return snapshot_csv(control, report::failures_csv, "failures.csv");
}

HttpResponse exceptions_csv_route(Control& control, const HttpRequest&, std::string_view) {
  return snapshot_csv(control, report::exceptions_csv, "exceptions.csv");
}

HttpResponse metrics_route(Control& control, const HttpRequest&, std::string_view) {
  return metrics_response(control);
}

struct Route {
  std::string_view path;
  std::string_view method;  // "GET" answers HEAD too
  HttpResponse (*answer)(Control&, const HttpRequest&, std::string_view page);
};

// Every path the UI serves; the rest are 404, a known path with another method 405.
constexpr Route kRoutes[] = {
    {"/", "GET", page_route},
    {"/swarm", "POST", swarm_route},
    {"/stop", "GET", stop_route},
    {"/stats/reset", "GET", reset_route},
    {"/stats/requests", "GET", requests_route},
    {"/stats/history", "GET", history_route},
    {"/stats/report", "GET", report_route},
    {"/stats/report/json", "GET", report_json_route},
    {"/stats/requests_full_history/csv", "GET", full_history_route},
    {"/exceptions", "GET", exceptions_route},
    {"/logs", "GET", logs_route},
    {"/tasks", "GET", tasks_route},
    {"/profiles", "GET", profiles_route},
    {"/stats/requests/csv", "GET", requests_csv_route},
    {"/stats/failures/csv", "GET", failures_csv_route},
    {"/exceptions/csv", "GET", exceptions_csv_route},
    {"/metrics", "GET", metrics_route},
};

}  // namespace

void add_process_readings(report::MetricsInfo& info) {
  info.process_cpu_seconds = monitor::process_cpu_seconds();
  const monitor::MemoryReading rss = monitor::read_pid_rss(static_cast<int>(::getpid()));
  if (rss.ok) info.process_resident_bytes = rss.rss_bytes;
}

HttpResponse metrics_response(const Control& control) {
  std::optional<stats::Snapshot> snap = control.snapshot();
  report::MetricsInfo info = control.metrics_info();
  info.state = std::string(state_name(control.state()));
  add_process_readings(info);
  HttpResponse out;
  out.content_type = std::string(report::kPrometheusContentType);
  out.body = report::prometheus_text(snap ? &*snap : nullptr, info);
  return out;
}

std::vector<RouteName> route_names() {
  std::vector<RouteName> out;
  for (const Route& route : kRoutes) out.push_back({route.path, route.method});
  return out;
}

HttpResponse handle(Control& control, const HttpRequest& request, std::string_view page) {
  std::string path = request.target.substr(0, request.target.find('?'));
  if (path.size() > 1 && path.back() == '/') path.pop_back();
  // Both arms string_view: a "GET" : std::string conditional would be a temporary string.
  const std::string_view method =
      request.method == "HEAD" ? std::string_view("GET") : std::string_view(request.method);
  bool known = false;
  for (const Route& route : kRoutes) {
    if (route.path != path) continue;
    if (route.method == method) return route.answer(control, request, page);
    known = true;
  }
  return json_response(
      json::object{{"success", false},
                   {"message", known ? "method not allowed" : "not found: " + path}},
      known ? 405 : 404);
}

}  // namespace arrload::web
