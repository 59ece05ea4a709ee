// Schedule precision of an arrival-rate class (bench/schedule_precision.sh, docs/BENCHMARKS.md
// section 10, issue 17). Runs SCENARIO (one arrival-rate class, one request per iteration) at
// RATE iterations/s against HOST for SECONDS with the engine's Runner, exactly as `arrload run
// --headless --threads N --arrival-rate RATE` runs it, with the CLI's own generator self-check
// (cli::GeneratorWatch, which prints its saturation warning on stderr), and prints one JSON line:
//
//   window_s      from the schedule's start to the stop (both seen on the run's control thread)
//   intended      iterations the schedule had due in that window
//   scheduled, dropped   the engine's own counts (Snapshot); behind = intended - scheduled -
//                 dropped: iterations that were due but the scheduler never reached
//   achieved      scheduled / intended
//   late_starts   the engine's exact count of requests started > 1 ms after their intended
//                 start (Entry::late_starts), and late_fraction = late_starts / requests
//   lateness_us   start lateness estimated here, p50 p90 p99 p99.9 max (see below)
//   cpu_percent   this process's CPU over the window (100 = one core)
//   selfcheck     the CLI's self-check over the run: samples, saturated samples, its summary
//   dropped_by_second  drops as the worker threads reported them, per second of the run
//   thread_sched  per thread at the stop: CPU time, time runnable but waiting for the CPU, and
//                 involuntary context switches (/proc/self/task/*/schedstat and status)
//
// Start lateness. The engine measures each iteration's lateness exactly but exports only the
// count above 1 ms (late_starts) and latency + lateness (the `intended` histogram), not its
// distribution. So: each request's actual start is taken as (time of the sample callback −
// its latency); the sorted actual starts are paired with the schedule's starts (the same
// ArrivalSchedule the engine uses), k-th with k-th. The schedule's time 0 is not exported either;
// it is bounded above by the moment the Runner announces the schedule (its "Arrival rate" info
// line, right after it reads the clock) and by min_k(actual_k − intended_k) (no iteration starts
// early), and the tighter bound is used. That makes the estimate low by at most the smallest true
// lateness (tens of µs); the exact late_starts count checks it at 1 ms. With dropped iterations
// the k-th request belongs to the k-th intended start or a later one, so the estimate becomes an
// upper bound ("lateness_is_upper_bound": true).
//
//   arrload_schedule_precision --host http://127.0.0.1:18080 --rate 10000 --seconds 10
//       [--scenario bench/scenarios/arrival.yaml] [--threads 1] [--dump FILE]
//       [--timer-slack-ns N]   (diagnostics: the pairs behind the estimate; the threads' timer
//                              slack, Linux's default being 50,000 ns)
#include <sys/prctl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/run_monitoring.h"
#include "core/clock.h"
#include "engine/arrival_schedule.h"
#include "engine/runner.h"
#include "monitor/self_check.h"
#include "scenario/loader.h"

namespace {

namespace engine = arrload::engine;
namespace scenario = arrload::scenario;
namespace stats = arrload::stats;
using arrload::core::Micros;
using arrload::core::now_us;

struct Options {
  std::string host;
  std::string scenario = "bench/scenarios/arrival.yaml";
  double rate = 1000;
  double seconds = 10;
  int threads = 1;
  std::string dump;          // --dump FILE: "intended_us lateness_us" per paired request
  long timer_slack_ns = -1;  // --timer-slack-ns N: prctl(PR_SET_TIMERSLACK) first; -1: keep
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--host")
      o.host = next();
    else if (a == "--scenario")
      o.scenario = next();
    else if (a == "--rate")
      o.rate = std::stod(next());
    else if (a == "--seconds")
      o.seconds = std::stod(next());
    else if (a == "--threads")
      o.threads = std::stoi(next());
    else if (a == "--dump")
      o.dump = next();
    else if (a == "--timer-slack-ns")
      o.timer_slack_ns = std::stol(next());
    else
      throw std::runtime_error("unknown option " + a +
                               " (see the top of bench/schedule_precision.cc)");
  }
  if (o.host.empty() || !(o.rate > 0) || !(o.seconds > 0) || o.threads < 1) {
    throw std::runtime_error("--host is required; --rate, --seconds and --threads must be > 0");
  }
  return o;
}

// Q-quantile (nearest rank) of SORTED, which is not empty.
std::int64_t quantile(const std::vector<std::int64_t>& sorted, double q) {
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

std::string lateness_json(std::vector<std::int64_t> late) {
  if (late.empty()) return "null";
  std::sort(late.begin(), late.end());
  return fmt::format(R"({{"p50": {}, "p90": {}, "p99": {}, "p999": {}, "max": {}, "n": {}}})",
                     quantile(late, 0.5), quantile(late, 0.9), quantile(late, 0.99),
                     quantile(late, 0.999), late.back(), late.size());
}

// Per thread of this process: name, CPU time, time spent runnable but waiting for a CPU (from
// /proc/self/task/*/schedstat, ns) and involuntary context switches, as a JSON array. Waiting
// time is what other work on the same core (other processes, or this process's other threads)
// took from the thread.
std::string threads_json() {
  std::string out = "[";
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
    auto read = [&](const char* file) {
      std::ifstream in(entry.path() / file);
      return std::string(std::istreambuf_iterator<char>(in), {});
    };
    std::string comm = read("comm");
    while (!comm.empty() && comm.back() == '\n') comm.pop_back();
    std::istringstream sched(read("schedstat"));
    std::uint64_t run_ns = 0, wait_ns = 0;
    sched >> run_ns >> wait_ns;
    const std::string status = read("status");
    const std::size_t at = status.find("nonvoluntary_ctxt_switches:");
    const std::uint64_t involuntary =
        at == std::string::npos ? 0 : std::stoull(status.substr(at + 27));
    if (out.size() > 1) out += ", ";
    out += fmt::format(R"({{"comm": "{}", "cpu_ms": {:.1f}, "runqueue_wait_ms": {:.1f}, )"
                       R"("involuntary_switches": {}}})",
                       comm, static_cast<double>(run_ns) / 1e6, static_cast<double>(wait_ns) / 1e6,
                       involuntary);
  }
  return out + "]";
}

int run(const Options& o) {
  // Threads inherit the slack of the thread that creates them: set it before the Runner exists.
  if (o.timer_slack_ns >= 0 && ::prctl(PR_SET_TIMERSLACK, o.timer_slack_ns) != 0) {
    throw std::runtime_error("prctl(PR_SET_TIMERSLACK) failed");
  }
  const scenario::Suite suite = scenario::load_suite(o.scenario);
  if (suite.classes.size() != 1 || !suite.classes[0].arrival) {
    throw std::runtime_error(o.scenario + ": expected exactly one arrival-rate class");
  }
  const scenario::Arrival& arrival = *suite.classes[0].arrival;
  // The schedule as the engine builds it (RunOptions::arrival_rate scales the peak to RATE).
  const engine::ArrivalSchedule schedule(arrival, o.rate / arrival.peak_rate());

  // Actual request starts, written by the worker thread(s), read after the run.
  const auto capacity = static_cast<std::size_t>(o.rate * (o.seconds + 5) * 1.2) + 1024;
  std::vector<Micros> starts(capacity);
  std::atomic<std::size_t> recorded{0};

  engine::RunOptions opts;
  opts.host = o.host;
  opts.threads = o.threads;
  opts.arrival_rate = o.rate;
  opts.run_time = std::chrono::microseconds(static_cast<std::int64_t>(o.seconds * 1e6));
  opts.seed = 1;
  opts.on_sample = [&](const stats::SampleView& s) {
    const Micros now = now_us();
    const std::size_t i = recorded.fetch_add(1, std::memory_order_relaxed);
    if (i < starts.size()) starts[i] = now - static_cast<Micros>(s.latency_us);
  };

  Micros announced_us = 0, stop_us = 0;
  std::atomic<Micros> schedule_start{0};  // announced_us, for the worker threads
  double cpu_at_start = 0, cpu_at_stop = 0;
  arrload::cli::GeneratorWatch watch;  // the CLI's self-check, with its console warning
  engine::RunEvents events;
  events.info = [&](std::string_view text) {
    if (announced_us == 0 && text.starts_with("Arrival rate")) {
      // The schedule's time 0: the announcement plus its "first start in X ms".
      announced_us = now_us();
      if (const auto at = text.find("first start in "); at != std::string_view::npos) {
        announced_us += static_cast<Micros>(
            std::strtod(std::string(text.substr(at + 15)).c_str(), nullptr) * 1e3);
      }
      schedule_start.store(announced_us, std::memory_order_relaxed);
      cpu_at_start = arrload::monitor::process_cpu_seconds();
    }
  };
  std::string threads;
  events.stopping = [&](engine::StopReason) {
    stop_us = now_us();
    cpu_at_stop = arrload::monitor::process_cpu_seconds();
    threads = threads_json();
  };
  events.every_second = [&](const stats::Snapshot&) { watch.tick(); };
  // Dropped iterations per second of the run, as the worker threads hand their counts over (about
  // once a second, so a drop may land in the second after it happened).
  std::vector<std::atomic<std::uint64_t>> dropped_by_second(static_cast<std::size_t>(o.seconds) +
                                                            8);
  events.recorded = [&](const stats::ShardDelta& d) {
    const Micros from = schedule_start.load(std::memory_order_relaxed);
    if (d.dropped_iterations == 0 || from == 0) return;
    const auto second = static_cast<std::size_t>((now_us() - from) / 1'000'000);
    dropped_by_second[std::min(second, dropped_by_second.size() - 1)] += d.dropped_iterations;
  };

  engine::Runner runner(suite, opts);
  const engine::RunResult result = runner.run(events);
  const stats::Snapshot& snap = result.final;
  if (announced_us == 0 || stop_us == 0) throw std::runtime_error("the run did not start or stop");

  // Pair the sorted actual starts with the schedule's, k-th with k-th.
  const std::size_t n = std::min(recorded.load(), starts.size());
  starts.resize(n);
  std::sort(starts.begin(), starts.end());
  std::vector<Micros> due(n);
  std::size_t cursor = 0;
  for (std::size_t k = 0; k < n; ++k) due[k] = schedule.start_us(k, cursor).value_or(0);
  Micros t0 = announced_us;
  for (std::size_t k = 0; k < n; ++k) t0 = std::min(t0, starts[k] - due[k]);
  const Micros window_us = stop_us - t0;

  // Iterations due in [t0, stop).
  std::uint64_t intended = 0;
  for (std::size_t c = 0;; ++intended) {
    const std::optional<std::int64_t> at = schedule.start_us(intended, c);
    if (!at || *at >= window_us) break;
  }

  std::vector<std::int64_t> late, late_after_1s;
  late.reserve(n);
  for (std::size_t k = 0; k < n; ++k) {
    late.push_back(starts[k] - (t0 + due[k]));
    if (due[k] >= 1'000'000) late_after_1s.push_back(late.back());
  }
  if (!o.dump.empty()) {
    std::FILE* f = std::fopen(o.dump.c_str(), "w");
    if (f == nullptr) throw std::runtime_error("cannot write " + o.dump);
    for (std::size_t k = 0; k < late.size(); ++k) fmt::print(f, "{} {}\n", due[k], late[k]);
    std::fclose(f);
  }

  std::vector<std::uint64_t> dropped;
  for (const auto& d : dropped_by_second) dropped.push_back(d.load());
  const stats::Entry& total = snap.aggregated.total;
  const double window_s = static_cast<double>(window_us) / 1e6;
  const std::uint64_t reached = snap.scheduled_iterations + snap.dropped_iterations;
  const arrload::monitor::SelfCheckSummary check = watch.summary();
  fmt::print(
      "{{\"rate\": {}, \"threads\": {}, \"window_s\": {:.4f}, \"intended\": {}, \"scheduled\": {}, "
      "\"dropped\": {}, \"behind\": {}, \"achieved\": {:.5f}, \"requests\": {}, \"failures\": {}, "
      "\"completed_per_s\": {:.1f}, \"late_starts\": {}, \"late_fraction\": {:.6f}, "
      "\"latency_p50_us\": {}, \"latency_p99_us\": {}, \"intended_p99_us\": {}, "
      "\"lateness_us\": {}, \"lateness_after_1s_us\": {}, \"lateness_is_upper_bound\": {}, "
      "\"t0_bound_us\": {}, "
      "\"cpu_percent\": {:.1f}, \"selfcheck\": {{\"samples\": {}, \"saturated\": {}, "
      "\"max_cpu_percent\": {:.1f}, \"max_lag_ms\": {:.1f}, \"message\": \"{}\"}}, "
      "\"thread_sched\": {}, \"dropped_by_second\": [{}]}}\n",
      o.rate, o.threads, window_s, intended, snap.scheduled_iterations, snap.dropped_iterations,
      intended > reached ? intended - reached : 0,
      intended ? static_cast<double>(snap.scheduled_iterations) / static_cast<double>(intended) : 0,
      total.num_requests, total.num_failures, static_cast<double>(total.num_requests) / window_s,
      total.late_starts,
      total.num_requests
          ? static_cast<double>(total.late_starts) / static_cast<double>(total.num_requests)
          : 0,
      total.latency.percentile(0.5), total.latency.percentile(0.99),
      total.intended.percentile(0.99), lateness_json(late), lateness_json(late_after_1s),
      snap.dropped_iterations > 0, announced_us - t0,
      100.0 * (cpu_at_stop - cpu_at_start) / window_s, check.samples, check.saturated_samples,
      check.max_cpu_percent, check.max_lag_ms, check.message, threads, fmt::join(dropped, ", "));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    fmt::print(stderr, "schedule_precision: {}\n", e.what());
    return 2;
  }
}
