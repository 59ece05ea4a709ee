// Microbenchmarks (Google Benchmark) of two per-request costs of the generator:
// recording a latency into stats::Histogram, reading percentiles from it, and writing an
// HTTP/1.1 request head (http::write_request_head). Built only with -DARRLOAD_BENCH=ON:
//   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DARRLOAD_BENCH=ON
//   cmake --build build-bench --target arrload_micro && build-bench/arrload_micro
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "http/client.h"
#include "http/request_writer.h"
#include "stats/histogram.h"

namespace {

using arrload::stats::Histogram;

// Latencies spread like a real run: mostly 0.2-5 ms, a tail up to 2 s (microseconds).
std::vector<std::uint64_t> sample_latencies(std::size_t n) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(7.0, 1.2);
  std::vector<std::uint64_t> v(n);
  for (auto& x : v) {
    double us = dist(rng);
    x = static_cast<std::uint64_t>(us > 2e6 ? 2e6 : us);
  }
  return v;
}

void BM_HistogramRecord(benchmark::State& state) {
  const auto values = sample_latencies(4096);
  Histogram h;
  std::size_t i = 0;
  for (auto _ : state) {
    h.record(values[i++ & 4095]);
  }
  benchmark::DoNotOptimize(h.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

void BM_HistogramPercentile(benchmark::State& state) {
  const auto values = sample_latencies(static_cast<std::size_t>(state.range(0)));
  Histogram h;
  for (auto v : values) h.record(v);
  for (auto _ : state) {
    benchmark::DoNotOptimize(h.percentile(0.5));
    benchmark::DoNotOptimize(h.percentile(0.99));
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_HistogramPercentile)->Arg(1000)->Arg(1000000);

// What every report tick does per endpoint: percentiles 50..100 as Locust prints them.
void BM_HistogramReportRow(benchmark::State& state) {
  const auto values = sample_latencies(100000);
  Histogram h;
  for (auto v : values) h.record(v);
  const double qs[] = {0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0};
  for (auto _ : state) {
    for (double q : qs) benchmark::DoNotOptimize(h.percentile(q));
  }
}
BENCHMARK(BM_HistogramReportRow);

void BM_HistogramMerge(benchmark::State& state) {
  const auto values = sample_latencies(10000);
  Histogram part;
  for (auto v : values) part.record(v);
  Histogram total;
  for (auto _ : state) {
    total.merge(part);
  }
  benchmark::DoNotOptimize(total.count());
}
BENCHMARK(BM_HistogramMerge);

void BM_WriteRequestHeadGet(benchmark::State& state) {
  arrload::http::Request req;
  req.method = "GET";
  req.target = "/api/v1/shows/?page=2";
  std::string out;
  for (auto _ : state) {
    arrload::http::write_request_head(req, "", "127.0.0.1:8088", out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_WriteRequestHeadGet);

void BM_WriteRequestHeadPostWithHeaders(benchmark::State& state) {
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"X-Api-Key", "0123456789abcdef0123456789abcdef"},
      {"Accept", "application/json"},
      {"X-Request-ID", "bench-0001"},
      {"User-Agent", "arrload-bench"},
  };
  arrload::http::Request req;
  req.method = "POST";
  req.target = "/api/v1/downloads/queue";
  req.headers = &headers;
  req.body = R"({"title":"Some Show","quality":"1080p","priority":3})";
  req.content_type = "application/json";
  std::string out;
  for (auto _ : state) {
    arrload::http::write_request_head(req, "/prefix", "127.0.0.1:8088", out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_WriteRequestHeadPostWithHeaders);

}  // namespace

BENCHMARK_MAIN();
