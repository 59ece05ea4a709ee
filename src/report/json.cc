#include "report/json.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include "report/format.h"
#include "report/json_fields.h"
#include "stats/corrected.h"

namespace arrload::report {

namespace json = boost::json;

namespace {

double ms(double micros) { return micros / 1000.0; }

// Percentiles of H by Locust's labels, in ms; null without SAMPLES.
json::object percentiles_json(const stats::Histogram& h, std::uint64_t samples) {
  json::object pct;
  for (std::size_t i = 0; i < std::size(kPercentiles); ++i) {
    if (samples) {
      pct[kPercentileLabels[i]] = ms(static_cast<double>(h.percentile(kPercentiles[i])));
    } else {
      pct[kPercentileLabels[i]] = nullptr;
    }
  }
  return pct;
}

// The "corrected" object of an entry whose corrected times are H (stats/corrected.h).
json::object corrected_json(const stats::Entry& t, const stats::Histogram& h) {
  return json::object{{"num_samples", h.count()},
                      {"late_start_share", stats::late_start_share(t)},
                      {"min_response_time_ms", ms(static_cast<double>(h.min()))},
                      {"max_response_time_ms", ms(static_cast<double>(h.max()))},
                      {"avg_response_time_ms", ms(h.mean())},
                      {"response_time_percentiles_ms", percentiles_json(h, h.count())}};
}

// CORRECTED: the entry's corrected response times.
json::object entry_json(const stats::Snapshot& snap, const stats::EndpointStats& s,
                        const stats::Histogram& corrected) {
  const stats::Entry& t = s.total;
  json::object o;
  add_entry_head(o, s, "_ms");
  o["total_content_length"] = t.content_bytes;
  o["avg_content_length"] = avg_content_length(t);
  // As received (compressed bodies count their compressed size) and redirects followed.
  o["total_wire_bytes"] = t.wire_bytes;
  o["redirects"] = t.redirects;
  o["total_rps"] = snap.total_rps(s);
  o["total_fail_per_sec"] = snap.total_fail_per_sec(s);
  o["response_time_percentiles_ms"] = percentiles_json(t.latency, t.num_requests);
  o["late_starts"] = t.late_starts;
  // Null for an entry with nothing scheduled: its corrected times are its service times.
  if (stats::is_scheduled(t)) {
    o["corrected"] = corrected_json(t, corrected);
  } else {
    o["corrected"] = nullptr;
  }
  return o;
}

json::object verdict_json(const budget::Verdict& v) {
  json::array checks;
  for (const budget::Check& c : v.checks) {
    json::object o{{"subject", c.subject},
                   {"category", c.category},
                   {"budget", c.threshold.describe()},
                   {"metric", c.threshold.metric_name()},
                   {"limit", c.threshold.limit},
                   {"pass", c.pass},
                   {"corrected", c.corrected},
                   {"origin", c.origin}};
    if (c.has_data) {
      o["actual"] = c.actual;
    } else {
      o["actual"] = nullptr;
    }
    o["margin"] = c.margin;
    if (c.threshold.window_s > 0) {
      o["window_s"] = c.threshold.window_s;
      if (c.window) {
        o["windows"] = json::object{{"judged", c.window->judged},
                                    {"breached", c.window->breached},
                                    {"worst_start_s", c.window->worst_start_s},
                                    {"worst_length_s", c.window->worst_length_s}};
      }
    }
    checks.push_back(std::move(o));
  }
  json::array criteria;
  for (const budget::Criterion& c : v.criteria) {
    criteria.push_back(json::object{{"name", c.name}, {"pass", c.pass}, {"detail", c.detail}});
  }
  json::array notes;
  for (const std::string& n : v.notes) notes.push_back(json::string(n));
  return json::object{{"pass", v.pass()},
                      {"interrupted", v.interrupted()},
                      {"exit_code", v.exit_code()},
                      {"summary", v.summary()},
                      {"checks", std::move(checks)},
                      {"criteria", std::move(criteria)},
                      {"notes", std::move(notes)}};
}

}  // namespace

std::string json_report(const stats::Snapshot& snap, const RunInfo& info) {
  json::object root;
  root["host"] = info.host;
  root["scenario"] = info.scenario;
  root["stop_reason"] = info.stop_reason;
  root["start_time"] = snap.start_unix;
  root["end_time"] = snap.taken_unix;
  root["duration_s"] = snap.elapsed_s;
  root["user_count"] = snap.user_count;
  root["peak_user_count"] = snap.peak_user_count;
  json::object users;
  for (const auto& [name, n] : snap.users_per_class) users[name] = n;
  root["users_per_class"] = std::move(users);
  json::array endpoints;
  for (const auto& e : snap.endpoints) {
    endpoints.push_back(entry_json(snap, e, stats::corrected_latency(e.total)));
  }
  root["stats"] = std::move(endpoints);
  root["aggregated"] = entry_json(snap, snap.aggregated, stats::aggregated_corrected_latency(snap));
  root["fail_ratio"] = snap.fail_ratio();
  root["dropped_iterations"] = snap.dropped_iterations;
  root["scheduled_iterations"] = snap.scheduled_iterations;
  if (auto share = stats::dropped_share(snap.dropped_iterations, snap.scheduled_iterations)) {
    root["dropped_share"] = *share;
  } else {
    root["dropped_share"] = nullptr;
  }
  json::array errors;
  for (const auto& [key, count] : snap.errors) {
    errors.push_back(json::object{{"method", key.method},
                                  {"name", key.name},
                                  {"error", key.message},
                                  {"occurrences", count.occurrences}});
  }
  root["errors"] = std::move(errors);
  json::array exceptions;
  for (const auto& [message, count] : snap.exceptions) {
    exceptions.push_back(json::object{{"message", message}, {"count", count}});
  }
  root["exceptions"] = std::move(exceptions);
  if (info.verdict != nullptr) root["verdict"] = verdict_json(*info.verdict);
  if (!info.generator.empty()) root["generator"] = info.generator;
  return json::serialize(root) + "\n";
}

void write_json(const std::string& path, const stats::Snapshot& snap, const RunInfo& info) {
  write_text_file(path, json_report(snap, info));
}

}  // namespace arrload::report
