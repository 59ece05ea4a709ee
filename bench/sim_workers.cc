// Many simulated Locust workers in one light process, to measure what a master costs
// (bench/master_cost.sh, docs/BENCHMARKS.md "Master cost").
//
// Each simulated worker is one ZeroMQ DEALER (identity = its node id "<host>_<32 hex>") that speaks
// Locust 2.12.1's worker side of the protocol (../shared/locust-protocol.md): client_ready, then a
// heartbeat every second and a `stats` report every 3 s with 20 endpoints (response-time buckets,
// per-second counts, a few errors), answers spawn with spawning + spawning_complete, stop with
// client_stopped + client_ready, and leaves on quit. Workers are spread evenly over each interval.
// With --arrload-ext each report also carries "arrload_delta": the same requests as an exact
// stats::Delta (stats/codec.h), wrapped in msgpack bin, as arrload workers send it.
//
// Staying light: reports are encoded once at start-up (a few variants, rotated) with sentinel
// times; a send copies the bytes and patches the times in place. A socket's incoming messages are
// read when it next sends (at least once a second).
//
// Progress: every 0.1 s a line "unix_time requests_sent reports_sent send_failures" is appended
// to --progress FILE, so the age of what a master's web UI shows can be computed afterwards.
//
// Options (defaults): --master-host 127.0.0.1 --master-port 5557 --workers 100 --endpoints 20
// --variants 8 (distinct reports, rotated) --stats-interval 3 --heartbeat-interval 1 --ramp S (the
// workers connect over S seconds; workers / 1000) --duration 60 --version-string 2.12.1 (what
// client_ready says; an arrload master checks "arrload VERSION scenario:FINGERPRINT")
// --progress FILE --arrload-ext --decode-cost (no network: what decoding a report costs a master).
// A worker reads its incoming messages when it next sends, so it answers a spawn within 1 s.
//
//   arrload_sim_workers --workers 1000 --master-port 5557 --duration 60 --progress p.txt
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <queue>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <zmq.hpp>

#include "cluster/message.h"
#include "stats/aggregator.h"
#include "stats/codec.h"
#include "stats/delta.h"

namespace {

using arrload::cluster::Array;
using arrload::cluster::Bin;
using arrload::cluster::Map;
using arrload::cluster::Message;
using arrload::cluster::Value;
namespace stats = arrload::stats;

struct Options {
  std::string master_host = "127.0.0.1";
  int master_port = 5557;
  int workers = 100;
  int endpoints = 20;
  int variants = 8;           // distinct reports, rotated
  double stats_interval = 3;  // s, Locust's WORKER_REPORT_INTERVAL
  double heartbeat_interval = 1;
  double ramp = 0;       // s over which the workers connect (0: workers / 1000)
  double duration = 60;  // s, then exit
  bool arrload_ext = false;
  std::string version = "2.12.1";  // client_ready's data
  std::string progress;            // file, or empty
  bool decode_cost = false;        // measure a master's decoding instead (decode_cost())
};

// Sentinel values the templates are encoded with, then patched at send time.
constexpr double kStartSentinel = 1234567890.0625;
constexpr double kLastSentinel = 1234567891.0625;
constexpr std::int64_t kSecondSentinel = 4000000000;  // and +1, +2: a 0xce uint32 each

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// How Python's round() files a Locust response time (ms): an int below 100, a float above.
Value locust_key(double ms, bool float_keys) {
  if (ms < 100) return Value(static_cast<std::int64_t>(std::nearbyint(ms)));
  double step = ms < 1000 ? 10 : ms < 10000 ? 100 : 1000;
  double k = std::nearbyint(ms / step) * step;
  return float_keys ? Value(k) : Value(static_cast<std::int64_t>(k));
}

// One endpoint's (or the total's) Locust counters over a report.
struct LocustEntry {
  std::uint64_t requests = 0, failures = 0, bytes = 0;
  double sum_ms = 0, min_ms = 0, max_ms = 0;
  std::map<double, std::pair<Value, std::uint64_t>> buckets;  // by key value
  std::uint64_t per_second[3] = {}, fail_per_second[3] = {};

  void record(double ms, std::uint64_t body, bool failed, int second, bool float_keys) {
    min_ms = requests == 0 ? ms : std::min(min_ms, ms);
    max_ms = std::max(max_ms, ms);
    ++requests;
    sum_ms += ms;
    bytes += body;
    Value key = locust_key(ms, float_keys);
    auto& b = buckets[*key.as_number()];
    b.first = key;
    ++b.second;
    ++per_second[second];
    if (failed) {
      ++failures;
      ++fail_per_second[second];
    }
  }
};

// Counts the sentinels a template holds, to check the patch offsets found later.
struct SentinelCount {
  int start = 0, last = 0, seconds[3] = {};
};

Value entry_value(const std::string& method, const std::string& name, const LocustEntry& e,
                  SentinelCount& n) {
  Map rt, rps, fps;
  for (const auto& [k, b] : e.buckets) rt.emplace_back(b.first, b.second);
  for (int s = 0; s < 3; ++s) {
    if (e.per_second[s]) rps.emplace_back(kSecondSentinel + s, e.per_second[s]), ++n.seconds[s];
    if (e.fail_per_second[s]) {
      fps.emplace_back(kSecondSentinel + s, e.fail_per_second[s]), ++n.seconds[s];
    }
  }
  ++n.start;
  if (e.requests) ++n.last;
  return Map{
      {"name", name},
      {"method", method},
      {"last_request_timestamp", e.requests ? Value(kLastSentinel) : Value()},
      {"start_time", kStartSentinel},
      {"num_requests", e.requests},
      {"num_none_requests", 0},
      {"num_failures", e.failures},
      {"total_response_time", e.sum_ms},
      {"max_response_time", e.max_ms},
      {"min_response_time", e.requests ? Value(e.min_ms) : Value()},
      {"total_content_length", e.bytes},
      {"response_times", std::move(rt)},
      {"num_reqs_per_sec", std::move(rps)},
      {"num_fail_per_sec", std::move(fps)},
  };
}

// One report's `data` (without the per-worker user counts) and how many requests it holds.
struct Report {
  Map data;
  std::uint64_t requests = 0;
  SentinelCount sentinels;
  double buckets_per_endpoint = 0;
};

// A report of ENDPOINTS endpoints, requests spread over 3 s; VARIANT seeds the numbers. An
// empty ENDPOINTS gives an idle worker's report.
Report make_report(int endpoints, int variant, bool ext) {
  std::mt19937_64 rng(1000 + variant);
  Report r;
  LocustEntry total;
  stats::Delta delta;
  Array entries;
  Map errors;
  const bool float_keys = !ext;  // Python Locust sends 150.0; arrload's worker sends 150
  std::size_t buckets = 0;
  for (int e = 0; e < endpoints; ++e) {
    const std::string method = e % 4 == 3 ? "POST" : "GET";
    const std::string name = fmt::format("/api/v1/resource{:02}", e);
    // Latencies: log-normal around a per-endpoint median (15 ms to 600 ms).
    const double median = 15.0 * std::pow(40.0, (e * 7 % endpoints) / double(endpoints));
    std::lognormal_distribution<double> latency(std::log(median), 0.25);
    std::uniform_int_distribution<int> count(60, 240), body(200, 6000);
    const int n = count(rng);
    LocustEntry le;
    stats::EndpointDelta& d = delta.endpoints[stats::EndpointKey{method, name}];
    for (int i = 0; i < n; ++i) {
      const double ms = std::round(latency(rng) * 1000) / 1000;  // µs resolution
      const bool failed = (e == 3 || e == 11) && i % 97 == 0;
      const auto bytes = static_cast<std::uint64_t>(body(rng));
      le.record(ms, bytes, failed, i % 3, float_keys);
      total.record(ms, bytes, failed, i % 3, float_keys);
      d.entry.record(static_cast<std::uint64_t>(std::llround(ms * 1000)), bytes, failed);
      auto& sc = d.per_second[kSecondSentinel + i % 3];
      ++sc.requests;
      if (failed) ++sc.failures;
    }
    buckets += le.buckets.size();
    entries.push_back(entry_value(method, name, le, r.sentinels));
    if (le.failures) {
      const std::string msg =
          fmt::format("HTTPError('500 Server Error: Internal Server Error for url: {}')", name);
      // Locust's key is a sha256 of method, name and error; any 64-hex string serves here.
      errors.emplace_back(
          fmt::format("{:016x}{:048x}", std::hash<std::string>{}(msg), e),
          Map{{"name", name}, {"method", method}, {"error", msg}, {"occurrences", le.failures}});
      delta.errors[stats::ErrorKey{method, name, msg}] =
          stats::ErrorCount{le.failures, kStartSentinel, kLastSentinel};
      if (ext) ++r.sentinels.start, ++r.sentinels.last;
    }
  }
  if (ext) r.sentinels.seconds[0] += static_cast<int>(delta.endpoints.size());  // first_second
  r.requests = total.requests;
  r.buckets_per_endpoint = endpoints ? double(buckets) / endpoints : 0;
  r.data = Map{{"stats", std::move(entries)},
               {"stats_total", entry_value("", "Aggregated", total, r.sentinels)},
               {"errors", std::move(errors)}};
  if (ext) r.data.emplace_back("arrload_delta", Bin{stats::encode_delta(delta)});
  return r;
}

// Offsets of every occurrence of PATTERN in BYTES.
std::vector<std::size_t> find_all(const std::string& bytes, const std::string& pattern) {
  std::vector<std::size_t> at;
  for (auto p = bytes.find(pattern); p != std::string::npos; p = bytes.find(pattern, p + 1)) {
    at.push_back(p + 1);  // past the MessagePack type byte
  }
  return at;
}

std::string f64_bytes(double d) {
  std::uint64_t u;
  std::memcpy(&u, &d, 8);
  std::string s(1, '\xcb');
  for (int i = 7; i >= 0; --i) s.push_back(static_cast<char>(u >> (8 * i)));
  return s;
}

std::string u32_bytes(std::uint32_t u) {
  std::string s(1, '\xce');
  for (int i = 3; i >= 0; --i) s.push_back(static_cast<char>(u >> (8 * i)));
  return s;
}

// A `stats` message without its per-worker tail (user counts, node id), and where its times are.
struct Template {
  std::string head;
  std::vector<std::size_t> start_at, last_at, second_at[3];
  std::uint64_t requests = 0;

  // Writes the report's times into BUF (a copy of head): it started at START, its newest
  // request was at LAST, its three seconds end with the second of LAST.
  void patch(char* buf, double start, double last) const {
    auto put_f64 = [buf](std::size_t at, double d) {
      std::string b = f64_bytes(d);
      std::memcpy(buf + at, b.data() + 1, 8);
    };
    for (auto at : start_at) put_f64(at, start);
    for (auto at : last_at) put_f64(at, last);
    const auto second = static_cast<std::uint32_t>(last);
    for (int s = 0; s < 3; ++s) {
      std::string b = u32_bytes(second - 2 + s);
      for (auto at : second_at[s]) std::memcpy(buf + at, b.data() + 1, 4);
    }
  }
};

// The bytes after a stats message's head: the worker's user counts and node id.
std::string stats_tail(const Map& user_classes, std::int64_t users, const std::string& node_id) {
  std::string out;
  arrload::cluster::encode_value(Value("user_classes_count"), out);
  arrload::cluster::encode_value(Value(user_classes), out);
  arrload::cluster::encode_value(Value("user_count"), out);
  arrload::cluster::encode_value(Value(users), out);
  arrload::cluster::encode_value(Value(node_id), out);
  return out;
}

Template make_template(Report r, const std::string& sample_node_id) {
  Map data = std::move(r.data);
  data.emplace_back("user_classes_count", Map{});
  data.emplace_back("user_count", 0);
  const std::string full =
      arrload::cluster::encode(Message{"stats", std::move(data), sample_node_id});
  const std::string tail = stats_tail(Map{}, 0, sample_node_id);
  if (full.size() < tail.size() || full.compare(full.size() - tail.size(), tail.size(), tail)) {
    throw std::runtime_error("the stats message does not end with its user counts and node id");
  }
  Template t;
  t.head = full.substr(0, full.size() - tail.size());
  t.requests = r.requests;
  t.start_at = find_all(t.head, f64_bytes(kStartSentinel));
  t.last_at = find_all(t.head, f64_bytes(kLastSentinel));
  bool ok =
      int(t.start_at.size()) == r.sentinels.start && int(t.last_at.size()) == r.sentinels.last;
  for (int s = 0; s < 3; ++s) {
    t.second_at[s] = find_all(t.head, u32_bytes(static_cast<std::uint32_t>(kSecondSentinel + s)));
    ok = ok && int(t.second_at[s].size()) == r.sentinels.seconds[s];
  }
  if (!ok) {
    throw std::runtime_error(fmt::format(
        "sentinel times found / written: start {}/{}, last {}/{}, seconds {}/{} {}/{} {}/{}",
        t.start_at.size(), r.sentinels.start, t.last_at.size(), r.sentinels.last,
        t.second_at[0].size(), r.sentinels.seconds[0], t.second_at[1].size(),
        r.sentinels.seconds[1], t.second_at[2].size(), r.sentinels.seconds[2]));
  }
  return t;
}

// Decodes T as sent at UNIX (with a sample tail) and checks what a master will read: the
// message, its request count, its times and, when present, the arrload_delta.
void verify(const Template& t, double unix) {
  std::string bytes = t.head + stats_tail(Map{{"SimUser", 1}}, 1, "check");
  t.patch(bytes.data(), unix - 3, unix);
  std::string error;
  auto m = arrload::cluster::decode(bytes, error);
  if (!m) throw std::runtime_error("a patched report does not decode: " + error);
  const Value* total = m->data.find("stats_total");
  const Value* n = total ? total->find("num_requests") : nullptr;
  const Value* start = total ? total->find("start_time") : nullptr;
  if (!n || n->as_int() != static_cast<std::int64_t>(t.requests) || !start ||
      start->as_number() != unix - 3) {
    throw std::runtime_error("a patched report lost its request count or start time");
  }
  if (const Value* ext = m->data.find("arrload_delta")) {
    auto d =
        ext->as_bin() ? stats::decode_delta(ext->as_bin()->bytes) : stats::Decoded<stats::Delta>{};
    if (!d) throw std::runtime_error("a patched arrload_delta does not decode: " + d.error);
    std::uint64_t requests = 0;
    for (const auto& [key, e] : d.value->endpoints) {
      requests += e.entry.num_requests;
      if (e.per_second.begin()->first != static_cast<std::int64_t>(unix) - 2) {
        throw std::runtime_error("a patched arrload_delta has the wrong seconds");
      }
    }
    if (requests != t.requests) throw std::runtime_error("arrload_delta and the report disagree");
  }
}

// One simulated worker.
struct Worker {
  std::string node_id;
  zmq::socket_t socket;
  std::string state = "ready";  // what its heartbeats say
  std::string heartbeat;        // encoded for the current state
  std::string tail;             // stats_tail() for its current users
  std::int64_t users = 0;
  bool gone = false;  // quit by the master
  int reports = 0;
};

enum class Due { kConnect, kHeartbeat, kStats };
struct Event {
  double at;  // s since start (steady clock)
  int worker;
  Due what;
  bool operator>(const Event& o) const { return at > o.at; }
};

std::atomic<bool> g_stop{false};

class Simulator {
 public:
  explicit Simulator(const Options& opts);
  int run();

 private:
  double now() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  }
  void connect(int w);
  void send(int w, const std::string& type, Value data = {});
  void send_stats(int w);
  void drain(int w);
  void handle(int w, const Message& m);
  void set_users(int w, const std::string& state, const Map& classes, std::int64_t users);
  void write_progress();

  Options opts_;
  zmq::context_t context_;
  std::vector<Worker> workers_;
  std::vector<Template> running_;  // report variants of a worker with users
  Template idle_;                  // a worker without users
  std::priority_queue<Event, std::vector<Event>, std::greater<>> due_;
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
  std::FILE* progress_ = nullptr;
  std::uint64_t requests_sent_ = 0, reports_sent_ = 0, send_failures_ = 0, received_ = 0;
};

std::string random_node_id(std::mt19937_64& rng) {
  char host[256] = "sim";
  gethostname(host, sizeof host - 1);
  return fmt::format("{}_{:016x}{:016x}", host, rng(), rng());
}

Simulator::Simulator(const Options& opts) : opts_(opts) {
  context_.set(zmq::ctxopt::max_sockets, opts_.workers + 64);
  std::mt19937_64 rng(std::random_device{}());
  workers_.resize(opts_.workers);
  for (auto& w : workers_) w.node_id = random_node_id(rng);
  double buckets = 0;
  for (int v = 0; v < opts_.variants; ++v) {
    Report r = make_report(opts_.endpoints, v, opts_.arrload_ext);
    buckets += r.buckets_per_endpoint;
    running_.push_back(make_template(std::move(r), workers_[0].node_id));
    verify(running_.back(), unix_now());
  }
  idle_ = make_template(make_report(0, 0, opts_.arrload_ext), workers_[0].node_id);
  verify(idle_, unix_now());
  fmt::print(stderr,
             "sim_workers: {} workers -> tcp://{}:{}, {} endpoints, {:.1f} response-time buckets "
             "an endpoint, a report of {} bytes ({} requests){}\n",
             opts_.workers, opts_.master_host, opts_.master_port, opts_.endpoints,
             buckets / opts_.variants, running_[0].head.size(), running_[0].requests,
             opts_.arrload_ext ? ", with arrload_delta" : "");
  const double ramp = opts_.ramp > 0 ? opts_.ramp : opts_.workers / 1000.0;
  for (int w = 0; w < opts_.workers; ++w) {
    due_.push(Event{ramp * w / opts_.workers, w, Due::kConnect});
  }
  if (!opts_.progress.empty()) {
    progress_ = std::fopen(opts_.progress.c_str(), "w");
    if (!progress_) throw std::runtime_error("cannot write " + opts_.progress);
  }
}

void Simulator::set_users(int w, const std::string& state, const Map& classes, std::int64_t users) {
  Worker& k = workers_[w];
  k.state = state;
  k.users = users;
  k.tail = stats_tail(classes, users, k.node_id);
  // A steady, plausible load for a worker: 5-25 % CPU, 60-90 MB.
  k.heartbeat = arrload::cluster::encode(
      Message{"heartbeat",
              Map{{"state", state},
                  {"current_cpu_usage", 5.0 + (w * 37 % 200) / 10.0},
                  {"current_memory_usage", 60'000'000 + (w * 7919 % 30'000'000)}},
              k.node_id});
}

void Simulator::connect(int w) {
  Worker& k = workers_[w];
  k.socket = zmq::socket_t(context_, ZMQ_DEALER);
  k.socket.set(zmq::sockopt::routing_id, k.node_id);
  k.socket.set(zmq::sockopt::linger, 0);
  k.socket.set(zmq::sockopt::tcp_keepalive, 1);
  k.socket.set(zmq::sockopt::tcp_keepalive_idle, 30);
  k.socket.connect(fmt::format("tcp://{}:{}", opts_.master_host, opts_.master_port));
  set_users(w, "ready", Map{}, 0);
  send(w, "client_ready", Value(opts_.version));
}

void Simulator::send(int w, const std::string& type, Value data) {
  const std::string bytes =
      arrload::cluster::encode(Message{type, std::move(data), workers_[w].node_id});
  if (!workers_[w].socket.send(zmq::buffer(bytes), zmq::send_flags::dontwait)) ++send_failures_;
}

void Simulator::send_stats(int w) {
  Worker& k = workers_[w];
  const bool busy = k.state == "running" && k.users > 0;
  const Template& t = busy ? running_[(w + k.reports) % running_.size()] : idle_;
  zmq::message_t msg(t.head.size() + k.tail.size());
  char* buf = static_cast<char*>(msg.data());
  std::memcpy(buf, t.head.data(), t.head.size());
  std::memcpy(buf + t.head.size(), k.tail.data(), k.tail.size());
  const double unix = unix_now();
  t.patch(buf, unix - opts_.stats_interval, unix - 0.05);
  if (k.socket.send(msg, zmq::send_flags::dontwait)) {
    ++k.reports;
    ++reports_sent_;
    requests_sent_ += t.requests;
  } else {
    ++send_failures_;
  }
}

void Simulator::drain(int w) {
  Worker& k = workers_[w];
  zmq::message_t frame;
  while (!k.gone && k.socket.recv(frame, zmq::recv_flags::dontwait)) {
    ++received_;
    std::string error;
    if (auto m = arrload::cluster::decode(frame.to_string_view(), error)) {
      handle(w, *m);
    } else {
      fmt::print(stderr, "sim_workers: worker {}: dropped a malformed message: {}\n", w, error);
    }
  }
}

void Simulator::handle(int w, const Message& m) {
  Worker& k = workers_[w];
  if (m.type == "spawn") {
    send(w, "spawning");
    const Value* classes = m.data.find("user_classes_count");
    Map counts = classes && classes->as_map() ? *classes->as_map() : Map{};
    std::int64_t users = 0;
    for (const auto& [name, n] : counts) users += n.as_int().value_or(0);
    set_users(w, "running", counts, users);
    send(w, "spawning_complete", Map{{"user_classes_count", counts}, {"user_count", users}});
  } else if (m.type == "stop") {
    set_users(w, "ready", Map{}, 0);
    send(w, "client_stopped");
    send(w, "client_ready", Value(opts_.version));
  } else if (m.type == "quit") {
    k.gone = true;
  } else if (m.type == "reconnect") {
    connect(w);
  }  // ack and anything else: nothing to do
}

void Simulator::write_progress() {
  if (!progress_) return;
  std::fprintf(progress_, "%.3f %llu %llu %llu\n", unix_now(),
               static_cast<unsigned long long>(requests_sent_),
               static_cast<unsigned long long>(reports_sent_),
               static_cast<unsigned long long>(send_failures_));
  std::fflush(progress_);
}

int Simulator::run() {
  double next_progress = 0;
  const double n = opts_.workers;
  while (!g_stop && now() < opts_.duration) {
    const double t = now();
    while (!due_.empty() && due_.top().at <= t) {
      Event e = due_.top();
      due_.pop();
      Worker& k = workers_[e.worker];
      if (e.what == Due::kConnect) {
        connect(e.worker);
        // Spread each worker's heartbeats and reports evenly over their intervals.
        due_.push(Event{t + opts_.heartbeat_interval * (e.worker / n), e.worker, Due::kHeartbeat});
        due_.push(Event{t + opts_.stats_interval * std::fmod(e.worker * 0.618034, 1.0), e.worker,
                        Due::kStats});
        continue;
      }
      drain(e.worker);
      if (k.gone) continue;
      if (e.what == Due::kHeartbeat) {
        if (!k.socket.send(zmq::buffer(k.heartbeat), zmq::send_flags::dontwait)) ++send_failures_;
        due_.push(Event{e.at + opts_.heartbeat_interval, e.worker, Due::kHeartbeat});
      } else {
        send_stats(e.worker);
        due_.push(Event{e.at + opts_.stats_interval, e.worker, Due::kStats});
      }
    }
    if (t >= next_progress) {
      write_progress();
      next_progress = t + 0.1;
    }
    const double next = due_.empty() ? t + 0.01 : std::min(due_.top().at, t + 0.01);
    if (next > now()) std::this_thread::sleep_for(std::chrono::duration<double>(next - now()));
  }
  write_progress();
  fmt::print(stderr,
             "sim_workers: {:.1f} s, {} reports sent ({} requests), {} send failures, {} messages "
             "received\n",
             now(), reports_sent_, requests_sent_, send_failures_, received_);
  return 0;
}

// --decode-cost: what receiving one report costs a master, without the network, on the master's
// own path (cluster/master.cc): the message decoded lean (Locust's fields beside arrload_delta
// are checked, not built), arrload_delta decoded lean (stats::decode_delta_lean) and absorbed
// into the run's stats::Aggregator; a report without arrload_delta (a Locust worker's) is
// decoded in full. Prints microseconds a report for each step and what that makes for --workers
// workers reporting every --stats-interval seconds.
int decode_cost(const Options& opts) {
  std::vector<std::string> reports;
  for (int v = 0; v < opts.variants; ++v) {
    Template t = make_template(make_report(opts.endpoints, v, opts.arrload_ext), "check");
    std::string bytes = t.head + stats_tail(Map{{"SimUser", 1}}, 1, "check");
    t.patch(bytes.data(), unix_now() - 3, unix_now());
    reports.push_back(std::move(bytes));
  }
  using Clock = std::chrono::steady_clock;
  constexpr int kRounds = 3000;
  static constexpr std::string_view kLocustFields[] = {"stats", "stats_total", "errors"};
  double message_s = 0, delta_s = 0, merge_s = 0;
  stats::Aggregator run(0, unix_now());
  for (int i = 0; i < kRounds; ++i) {
    const auto t0 = Clock::now();
    std::string error;
    const std::string& bytes = reports[i % reports.size()];
    auto m = arrload::cluster::decode(bytes, error, kLocustFields);
    if (m && m->data.find("arrload_delta") == nullptr) m = arrload::cluster::decode(bytes, error);
    const auto t1 = Clock::now();
    message_s += std::chrono::duration<double>(t1 - t0).count();
    const Value* ext = m ? m->data.find("arrload_delta") : nullptr;
    if (!ext || !ext->as_bin()) continue;
    auto d = stats::decode_delta_lean(ext->as_bin()->bytes);
    const auto t2 = Clock::now();
    if (!d) throw std::runtime_error(d.error);
    run.absorb(*d.value);
    const auto t3 = Clock::now();
    delta_s += std::chrono::duration<double>(t2 - t1).count();
    merge_s += std::chrono::duration<double>(t3 - t2).count();
    if (i % 100 == 99) run.tick();  // as the master closes its seconds
  }
  const double per_report_us = (message_s + delta_s + merge_s) / kRounds * 1e6;
  fmt::print(
      "decode-cost: {} reports of {} bytes: message {:.1f} us, arrload_delta decode {:.1f} us, "
      "merge {:.1f} us; {:.1f} us a report = {:.1f}% of a core for {} workers every {} s\n",
      kRounds, reports[0].size(), message_s / kRounds * 1e6, delta_s / kRounds * 1e6,
      merge_s / kRounds * 1e6, per_report_us,
      per_report_us * 1e-6 * opts.workers / opts.stats_interval * 100, opts.workers,
      opts.stats_interval);
  return 0;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--master-host")
      o.master_host = next();
    else if (a == "--master-port")
      o.master_port = std::stoi(next());
    else if (a == "--workers")
      o.workers = std::stoi(next());
    else if (a == "--endpoints")
      o.endpoints = std::stoi(next());
    else if (a == "--variants")
      o.variants = std::stoi(next());
    else if (a == "--stats-interval")
      o.stats_interval = std::stod(next());
    else if (a == "--heartbeat-interval")
      o.heartbeat_interval = std::stod(next());
    else if (a == "--ramp")
      o.ramp = std::stod(next());
    else if (a == "--duration")
      o.duration = std::stod(next());
    else if (a == "--version-string")
      o.version = next();
    else if (a == "--progress")
      o.progress = next();
    else if (a == "--arrload-ext")
      o.arrload_ext = true;
    else if (a == "--decode-cost")
      o.decode_cost = true;
    else
      throw std::runtime_error("unknown option " + a + " (see the top of bench/sim_workers.cc)");
  }
  if (o.workers < 1 || o.endpoints < 1 || o.variants < 1) {
    throw std::runtime_error("--workers, --endpoints and --variants must be at least 1");
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options opts = parse(argc, argv);
    std::signal(SIGTERM, [](int) { g_stop = true; });
    std::signal(SIGINT, [](int) { g_stop = true; });
    if (opts.decode_cost) return decode_cost(opts);
    return Simulator(opts).run();
  } catch (const std::exception& e) {
    fmt::print(stderr, "sim_workers: {}\n", e.what());
    return 2;
  }
}
