#include "compare/load.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "report/format.h"

namespace arrload::compare {

namespace json = boost::json;

namespace {

// The JSON of one report, with the name of the file and the place for errors.
struct JsonReader {
  const std::string& source;

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw InputError(fmt::format("{}: {}: {}", source, where, what));
  }
  const json::value& field(const json::object& o, const char* key, const std::string& where) const {
    const json::value* v = o.if_contains(key);
    if (v == nullptr)
      fail(where, fmt::format("no field '{}' (is this arrload's --json-file report?)", key));
    return *v;
  }
  double number(const json::object& o, const char* key, const std::string& where) const {
    const json::value& v = field(o, key, where);
    if (!v.is_number()) fail(where, fmt::format("'{}' is not a number", key));
    return v.to_number<double>();
  }
  std::uint64_t count(const json::object& o, const char* key, const std::string& where) const {
    const double v = number(o, key, where);
    if (v < 0) fail(where, fmt::format("'{}' is negative", key));
    return static_cast<std::uint64_t>(v);
  }
  const json::object& object(const json::value& v, const std::string& where) const {
    if (!v.is_object()) fail(where, "not an object");
    return v.get_object();
  }

  // The distribution in O (an endpoint or its "corrected" object) with SAMPLES samples.
  Distribution distribution(const json::object& o, std::uint64_t samples,
                            const std::string& where) const {
    Distribution d;
    d.samples = samples;
    if (samples == 0) return d;
    d.avg_ms = number(o, "avg_response_time_ms", where);
    d.points.emplace_back(0.0, number(o, "min_response_time_ms", where));
    const json::object& pct = object(field(o, "response_time_percentiles_ms", where),
                                     where + ".response_time_percentiles_ms");
    for (std::size_t i = 0; i < std::size(report::kPercentiles); ++i) {
      const json::value* v = pct.if_contains(report::kPercentileLabels[i]);
      if (v == nullptr || !v->is_number()) continue;
      // Never below the previous point: a report's rounding must not make time run backwards.
      d.points.emplace_back(report::kPercentiles[i],
                            std::max(d.points.back().second, v->to_number<double>()));
    }
    if (d.points.back().first < 1.0) {
      d.points.emplace_back(
          1.0, std::max(d.points.back().second, number(o, "max_response_time_ms", where)));
    }
    return d;
  }

  Endpoint endpoint(const json::value& v, const std::string& where) const {
    const json::object& o = object(v, where);
    Endpoint e;
    const json::value& method = field(o, "method", where);
    const json::value& name = field(o, "name", where);
    if (!method.is_string() || !name.is_string())
      fail(where, "'method' and 'name' must be strings");
    e.method = std::string(method.get_string());
    e.name = std::string(name.get_string());
    if (const json::value* c = o.if_contains("category"); c && c->is_string()) {
      e.category = std::string(c->get_string());
    }
    e.requests = count(o, "num_requests", where);
    e.failures = count(o, "num_failures", where);
    e.rps = number(o, "total_rps", where);
    e.service = distribution(o, e.requests, where);
    if (const json::value* c = o.if_contains("corrected"); c && !c->is_null()) {
      const json::object& co = object(*c, where + ".corrected");
      e.corrected =
          distribution(co, count(co, "num_samples", where + ".corrected"), where + ".corrected");
    }
    return e;
  }
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot be read", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

RunData run_from_json(const std::string& text, const std::string& source) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) throw InputError(fmt::format("{}: not valid JSON ({})", source, ec.message()));
  const JsonReader r{source};
  const json::object& o = r.object(root, "the report");
  RunData run;
  run.source = source;
  run.duration_s = r.number(o, "duration_s", "the report");
  const json::value& stats = r.field(o, "stats", "the report");
  if (!stats.is_array()) r.fail("the report", "'stats' is not an array");
  std::size_t i = 0;
  for (const json::value& v : stats.get_array()) {
    run.endpoints.push_back(r.endpoint(v, fmt::format("stats[{}]", i++)));
  }
  run.aggregated = r.endpoint(r.field(o, "aggregated", "the report"), "aggregated");
  run.aggregated.method.clear();
  run.aggregated.name = "Aggregated";
  return run;
}

RunData load_run(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_regular_file(path, ec) && !ends_with(path, "_stats.csv")) {
    const std::string text = read_text(path);
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || text[first] != '{') {
      throw InputError(fmt::format(
          "{}: neither a JSON report (--json-file) nor a CSV prefix (--csv PREFIX)", path));
    }
    return run_from_json(text, path);
  }
  std::string prefix = path;
  if (ends_with(prefix, "_stats.csv"))
    prefix.resize(prefix.size() - std::string("_stats.csv").size());
  if (ends_with(prefix, "_corrected"))
    prefix.resize(prefix.size() - std::string("_corrected").size());
  const std::string stats = prefix + "_stats.csv";
  if (!fs::is_regular_file(stats, ec)) {
    throw InputError(fmt::format(
        "{}: no such report: neither a JSON report file nor a CSV prefix ({} does not exist)", path,
        stats));
  }
  const std::string corrected_name = prefix + "_corrected_stats.csv";
  const std::string corrected =
      fs::is_regular_file(corrected_name, ec) ? read_text(corrected_name) : std::string();
  RunData run = run_from_csv(read_text(stats), stats, corrected, corrected_name);
  run.source = prefix;
  return run;
}

}  // namespace arrload::compare
