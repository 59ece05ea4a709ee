#pragma once
// One run's final figures as `arrload compare` reads them (docs/compare.md): per endpoint the
// counts, the rate and the response-time distribution at the percentile levels the reports keep.
// Plain data; any thread.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace arrload::compare {

// A response-time distribution as a report keeps it: the sample count, the mean, and the time
// at a few quantiles, min (quantile 0) and max (quantile 1) among them.
struct Distribution {
  std::uint64_t samples = 0;
  double avg_ms = 0;
  // {quantile in [0, 1], ms}, quantiles strictly ascending, from 0 to 1.
  std::vector<std::pair<double, double>> points;

  // The time (ms) at quantile Q in [0, 1], linear between the known points.
  // REQUIRES: samples > 0 and points not empty.
  double at(double q) const;
  // The standard deviation (ms) of the distribution whose quantile function is linear between
  // the points (an estimate: the reports keep no second moment).
  double stddev() const;
};

// One row of a report: an endpoint, or the Aggregated row.
struct Endpoint {
  std::string method;    // "GET", "WS"; "" for Aggregated
  std::string name;      // the stats row name; "Aggregated" for the Aggregated row
  std::string category;  // the budget category its requests declared; "" when unknown (CSV)
  std::uint64_t requests = 0;
  std::uint64_t failures = 0;
  double rps = 0;        // requests per second over the whole run
  Distribution service;  // service times (what Locust's columns hold)
  // Times from each request's intended start, when the run had scheduled samples for this row
  // (docs/reports.md); without, they are the service times.
  std::optional<Distribution> corrected;

  // "GET /health"; "Aggregated" for the Aggregated row.
  std::string key() const;
  // failures / requests; 0 without requests.
  double error_rate() const;
  // The times budgets judge by default: corrected where present, else service times.
  const Distribution& judged() const { return corrected ? *corrected : service; }
};

struct RunData {
  std::string source;     // what was read: a file, a CSV prefix, "this run"
  double duration_s = 0;  // the run's length, 0 when unknown
  std::vector<Endpoint> endpoints;
  Endpoint aggregated;

  // The endpoint with KEY (Endpoint::key()), or null.
  const Endpoint* find(const std::string& key) const;
};

}  // namespace arrload::compare
