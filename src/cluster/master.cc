#include "cluster/master.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <zmq.hpp>

#include "cluster/locust_import.h"
#include "cluster/message.h"
#include "cluster/run_thread.h"
#include "core/clock.h"
#include "core/redact.h"
#include "engine/dispatch.h"
#include "engine/shape.h"
#include "stats/aggregator.h"
#include "stats/codec.h"

namespace arrload::cluster {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view kVersionPrefix = "arrload ";
constexpr std::string_view kHashPrefix = " scenario:";
// A worker missing this many heartbeat checks is forgotten (Locust: 60).
constexpr int kForgetAfterChecks = 60;
// How long a run waits for its workers' spawning_complete before it calls the ramp done anyway.
constexpr milliseconds kSpawnAckWait{5'000};
// Past the stop timeout, how long a stopping run waits for the workers' last statistics.
constexpr milliseconds kFinalStatsWait{10'000};
// Malformed or unknown messages logged per worker before the rest are only counted.
constexpr int kLoggedProblems = 5;

// One worker, as the protocol thread knows it. Guarded by State::mu.
struct Peer {
  std::string id;
  int index = 0;
  bool present = false;  // announced (client_ready) and neither quit nor forgotten
  bool missing = false;  // heartbeats stopped
  bool arrload = false;
  std::string state = "ready";
  int liveness = 0;
  double cpu = 0;
  double peak_cpu = 0;
  bool saturated = false;  // reported more than 90% CPU during the current run
  std::uint64_t memory = 0;
  std::uint64_t user_count = 0;
  std::vector<std::uint64_t> class_counts;  // suite order
  // The current run's share: what the last spawn said (suite order); empty: nothing sent.
  std::vector<int> assigned;
  bool spawn_acked = true;
  double last_timestamp = 0;  // of the last spawn sent (strictly increasing per worker)
  bool stop_sent = false;
  std::uint64_t users_at_stop = 0;  // what it ran when the run began stopping
  bool stopped = false;             // client_stopped since the stop
  bool final_stats = false;         // a report with no users since the stop
  int problems = 0;

  // Takes users, in the current run or the next.
  bool usable() const { return present && !missing && state != "stopped" && state != "stopping"; }
};

// What the current run collects from the workers' messages. Guarded by State::mu.
struct RunSink {
  stats::Aggregator* aggregator = nullptr;
  std::map<std::string, std::uint64_t> exceptions;
  std::set<stats::EndpointKey> approximate;  // rows fed by Locust workers
  bool joined = false;                       // a worker joined (or came back): redispatch
  bool lost = false;                         // a worker went missing or quit
};

std::string percent(double v) { return fmt::format("{:.0f}%", v); }

}  // namespace

std::string worker_version(std::string_view version, std::string_view scenario_hash) {
  return fmt::format("{}{}{}{}", kVersionPrefix, version, kHashPrefix, scenario_hash);
}

struct Master::State {
  State(const scenario::Suite& s, MasterOptions o) : suite(s), opts(std::move(o)) {}

  const scenario::Suite& suite;
  MasterOptions opts;
  zmq::context_t context;
  zmq::socket_t socket;
  int port = 0;
  std::thread thread;
  std::atomic<bool> quit{false};

  mutable std::mutex mu;
  std::map<std::string, Peer> peers;  // by node id
  int next_index = 0;
  std::deque<std::pair<std::string, std::string>> outbox;  // (node id, encoded message)
  RunSink* sink = nullptr;
  int unknown_senders = 0;

  void log(std::string_view level, std::string_view text) const {
    if (opts.log) {
      opts.log(level, text);
    } else {
      fmt::print(stderr, "{}: {}\n", level, text);
    }
  }

  // Queues a message for ID (under mu).
  void post(const std::string& id, const std::string& type, Value data = {}) {
    outbox.emplace_back(id, encode(Message{type, std::move(data), id}));
  }

  void bind() {
    socket = zmq::socket_t(context, ZMQ_ROUTER);
    socket.set(zmq::sockopt::linger, 1000);
    socket.set(zmq::sockopt::tcp_keepalive, 1);
    socket.set(zmq::sockopt::tcp_keepalive_idle, 30);
    // No ZMTP pings from this side (Locust's master sets none either): with thousands of workers
    // their timers cost ZeroMQ's I/O thread most of a core (docs/BENCHMARKS.md, "Master cost").
    // The workers' heartbeat messages tell liveness; arrload workers ping the master themselves.
    const std::string where = opts.bind_port == 0
                                  ? fmt::format("tcp://{}:*", opts.bind_host)
                                  : fmt::format("tcp://{}:{}", opts.bind_host, opts.bind_port);
    try {
      socket.bind(where);
    } catch (const zmq::error_t& e) {
      throw std::runtime_error(
          fmt::format("--master: cannot listen on {}: {}", where.substr(6), e.what()));
    }
    const std::string bound = socket.get(zmq::sockopt::last_endpoint);
    port = std::stoi(bound.substr(bound.rfind(':') + 1));
  }

  void loop() {
    Clock::time_point next_check = Clock::now() + opts.heartbeat_check;
    while (!quit.load()) {
      zmq::pollitem_t items[] = {{socket.handle(), 0, ZMQ_POLLIN, 0}};
      try {
        zmq::poll(items, 1, milliseconds(20));
      } catch (const zmq::error_t& e) {
        if (e.num() != EINTR) throw;
      }
      receive_all();
      flush();
      if (const Clock::time_point now = Clock::now(); now >= next_check) {
        check_liveness();
        // From now, not from the missed tick: a loop that fell behind must not run several
        // checks in a row without reading the heartbeats that arrived meanwhile.
        next_check = now + opts.heartbeat_check;
      }
    }
    flush();
  }

  void flush() {
    std::deque<std::pair<std::string, std::string>> out;
    {
      std::lock_guard lock(mu);
      out.swap(outbox);
    }
    for (const auto& [id, bytes] : out) {
      try {
        socket.send(zmq::buffer(id), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
        socket.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
      } catch (const zmq::error_t& e) {
        log("WARNING", fmt::format("Could not send to worker {}: {}", id, e.what()));
      }
    }
  }

  void receive_all() {
    for (int budget = 0; budget < 10'000; ++budget) {
      zmq::message_t id, frame;
      std::optional<std::size_t> got;
      try {
        got = socket.recv(id, zmq::recv_flags::dontwait);
      } catch (const zmq::error_t& e) {
        if (e.num() == EINTR) continue;
        throw;
      }
      if (!got) return;
      if (!id.more() || !socket.recv(frame, zmq::recv_flags::dontwait)) continue;
      bool extra = false;
      while (frame.more()) {
        zmq::message_t rest;
        if (!socket.recv(rest, zmq::recv_flags::dontwait)) break;
        extra = true;
        if (!rest.more()) break;
      }
      const std::string node(id.to_string_view());
      std::string error;
      // Lean first: an arrload worker's stats carry exact samples, so Locust's fields beside
      // them need not be built; a Locust worker's report is then decoded in full.
      static constexpr std::string_view kLocustFields[] = {"stats", "stats_total", "errors"};
      std::optional<Message> m =
          extra ? std::nullopt : decode(frame.to_string_view(), error, kLocustFields);
      if (m && m->type == "stats" && m->data.find(kDeltaKey) == nullptr) {
        m = decode(frame.to_string_view(), error);
      }
      std::lock_guard lock(mu);
      if (!m) {
        problem(node, extra
                          ? "a multipart message (Locust's workers send one frame)"
                          : fmt::format("a malformed message ({} bytes): {}", frame.size(), error));
        continue;
      }
      handle(node, *m);
    }
  }

  // Logs a dropped message from NODE (under mu), the first few per worker.
  void problem(const std::string& node, const std::string& what) {
    auto it = peers.find(node);
    int& count = it != peers.end() ? it->second.problems : unknown_senders;
    if (++count <= kLoggedProblems) {
      log("WARNING", fmt::format("Dropped {} from worker {}{}", what, node,
                                 count == kLoggedProblems ? " (further ones are not logged)" : ""));
    }
  }

  std::vector<std::uint64_t> class_counts_of(const Value* counts) const {
    std::vector<std::uint64_t> out(suite.classes.size(), 0);
    if (counts == nullptr || !counts->as_map()) return out;
    for (const auto& [name, n] : *counts->as_map()) {
      const std::string* s = name.as_str();
      std::optional<std::int64_t> c = n.as_int();
      if (s == nullptr || !c || *c < 0) continue;
      for (std::size_t i = 0; i < suite.classes.size(); ++i) {
        if (suite.classes[i].name == *s) out[i] = static_cast<std::uint64_t>(*c);
      }
    }
    return out;
  }

  void handle(const std::string& node, const Message& m) {
    if (m.type == "client_ready") {
      ready(node, m.data);
      return;
    }
    auto it = peers.find(node);
    if (it == peers.end() || !it->second.present) {
      // Heartbeats and late reports from a worker this master does not know (it restarted):
      // the worker announces itself again once its connection is back.
      if (m.type != "heartbeat" && m.type != "stats") {
        problem(node, fmt::format("'{}' from a worker that has not announced itself", m.type));
      }
      return;
    }
    Peer& p = it->second;
    if (m.type == "heartbeat") {
      p.liveness = opts.heartbeat_liveness;
      if (p.missing) {
        p.missing = false;
        log("INFO", fmt::format("Worker {} is back (heartbeats again)", node));
        if (sink) sink->joined = true;
      }
      if (const Value* st = m.data.find("state"); st && st->as_str()) p.state = *st->as_str();
      if (const Value* cpu = m.data.find("current_cpu_usage"); cpu && cpu->as_number()) {
        p.cpu = *cpu->as_number();
        p.peak_cpu = std::max(p.peak_cpu, p.cpu);
        if (p.cpu > 90 && sink && !p.saturated) {
          p.saturated = true;
          log("WARNING", fmt::format("Worker {} is using {} CPU: its measurements may be late "
                                     "(add workers or lower its users)",
                                     node, percent(p.cpu)));
        }
      }
      if (const Value* mem = m.data.find("current_memory_usage"); mem && mem->as_int()) {
        p.memory = static_cast<std::uint64_t>(std::max<std::int64_t>(0, *mem->as_int()));
      }
    } else if (m.type == "spawning") {
      p.state = "spawning";
    } else if (m.type == "spawning_complete") {
      p.state = "running";
      p.class_counts = class_counts_of(m.data.find("user_classes_count"));
      if (const Value* n = m.data.find("user_count"); n && n->as_int() && *n->as_int() >= 0) {
        p.user_count = static_cast<std::uint64_t>(*n->as_int());
      }
      p.spawn_acked = true;
    } else if (m.type == "stats") {
      stats_from(p, m.data);
    } else if (m.type == "client_stopped") {
      p.state = "stopped";
      p.stopped = true;
      p.user_count = 0;
      std::fill(p.class_counts.begin(), p.class_counts.end(), 0);
    } else if (m.type == "quit") {
      p.present = false;
      p.state = "quit";
      log("INFO", fmt::format("Worker {} quit", node));
      if (sink) sink->lost = true;
    } else if (m.type == "exception") {
      const Value* msg = m.data.find("msg");
      if (sink) {
        ++sink->exceptions[core::redact(msg && msg->as_str() ? *msg->as_str() : m.data.describe())];
      }
    } else {
      problem(node, fmt::format("a message of unknown type '{}'", m.type));
    }
  }

  void ready(const std::string& node, const Value& data) {
    const std::string version = data.as_str() ? *data.as_str() : "";
    const bool arrload = version.rfind(kVersionPrefix, 0) == 0;
    if (arrload && !opts.scenario_hash.empty()) {
      const std::size_t at = version.find(kHashPrefix);
      const std::string theirs =
          at == std::string::npos ? "" : version.substr(at + kHashPrefix.size());
      if (theirs != opts.scenario_hash) {
        const std::string why = fmt::format(
            "its scenario differs from the master's (fingerprint {} here, {} on the worker): "
            "give both the same scenario files",
            opts.scenario_hash, theirs.empty() ? "none" : theirs);
        log("ERROR", fmt::format("Refused worker {}: {}", node, why));
        post(node, "arrload_refused", Map{{"reason", "the master refused this worker: " + why}});
        return;
      }
    }
    auto [it, fresh] = peers.try_emplace(node);
    Peer& p = it->second;
    if (fresh) {
      p.id = node;
      p.index = next_index++;
    }
    const bool was_present = p.present && !p.missing;
    p.present = true;
    p.missing = false;
    p.arrload = arrload;
    p.state = "ready";
    p.liveness = opts.heartbeat_liveness;
    p.user_count = 0;
    p.class_counts.assign(suite.classes.size(), 0);
    p.assigned.clear();
    p.spawn_acked = true;
    // A stopping run still waits for this worker's last report (a Locust worker announces
    // itself again right after client_stopped, before its next report).
    post(node, "ack", Map{{"index", p.index}});
    if (!was_present) {
      int usable = 0;
      for (const auto& [id, q] : peers) usable += q.usable() ? 1 : 0;
      log("INFO", fmt::format("Worker {} ({}) connected; {} worker(s) ready", node,
                              arrload ? "arrload" : "Locust", usable));
    }
    if (sink) sink->joined = true;
  }

  void stats_from(Peer& p, const Value& data) {
    if (const Value* counts = data.find("user_classes_count")) {
      p.class_counts = class_counts_of(counts);
    }
    if (const Value* n = data.find("user_count"); n && n->as_int() && *n->as_int() >= 0) {
      p.user_count = static_cast<std::uint64_t>(*n->as_int());
    }
    if (p.stop_sent && p.user_count == 0) p.final_stats = true;
    if (sink == nullptr) return;  // between runs: nothing to count it in
    const double now_unix = core::wall_unix_seconds();
    if (const Value* ext = data.find(kDeltaKey); ext && ext->as_bin()) {
      stats::Decoded<stats::LeanDelta> d = stats::decode_delta_lean(ext->as_bin()->bytes);
      if (!d) {
        problem(p.id, "a stats report whose exact samples do not decode (" + d.error + ")");
        return;
      }
      for (const auto& [message, n] : d.value->exceptions) sink->exceptions[message] += n;
      sink->aggregator->absorb(*d.value);
      return;
    }
    ImportedStats imported = import_locust_stats(data, now_unix);
    if (!imported.problems.empty()) problem(p.id, "parts of a stats report: " + imported.problems);
    sink->approximate.insert(imported.rows.begin(), imported.rows.end());
    if (!imported.delta.empty()) sink->aggregator->absorb(std::move(imported.delta));
  }

  void check_liveness() {
    std::lock_guard lock(mu);
    for (auto& [id, p] : peers) {
      if (!p.present) continue;
      --p.liveness;
      if (p.liveness < 0 && !p.missing) {
        p.missing = true;
        p.state = "missing";
        log("WARNING",
            fmt::format(
                "Worker {} missed {} heartbeats: marked missing{}", id, opts.heartbeat_liveness + 1,
                sink && opts.enable_rebalancing ? "; its users move to the other workers" : ""));
        if (sink) sink->lost = true;
      } else if (p.liveness < -kForgetAfterChecks) {
        p.present = false;
        log("WARNING", fmt::format("Worker {} forgotten after {} s without a heartbeat", id,
                                   kForgetAfterChecks));
      }
    }
  }
};

namespace {

// A run whose users are on the workers.
class MasterRun : public engine::Engine {
 public:
  MasterRun(std::shared_ptr<Master::State> st, engine::RunOptions opts)
      : st_(std::move(st)),
        opts_(std::move(opts)),
        dispatcher_(engine::class_weights(st_->suite)),
        started_mono_(core::now_us()),
        aggregator_(started_mono_, core::wall_unix_seconds()) {}

  void retarget(engine::UserTargets targets) override {
    post([this, targets = std::move(targets)] { apply(targets); });
  }
  void stop(engine::StopReason reason) override {
    post([this, reason] { begin_stop(reason); });
  }
  void hurry() override {
    post([this] { hurry_stop(); });
  }
  // A second signal: stop if not stopping, and wait at most a second for the workers' last
  // statistics (they stop their users as told; what they report later is not in the results).
  void hurry_stop() {
    begin_stop(engine::StopReason::kSignal);
    if (hurried_) return;
    hurried_ = true;
    info("A signal while stopping: waiting at most 1 s more for the workers' last statistics");
    stop_deadline_ = std::min(stop_deadline_, Clock::now() + milliseconds(1000));
  }
  void reset_stats() override {
    post([this] {
      aggregator_.reset(core::now_us(), core::wall_unix_seconds());
      std::lock_guard lock(st_->mu);
      sink_.exceptions.clear();
      sink_.approximate.clear();
    });
  }

  engine::RunResult run(const engine::RunEvents& events) override;

 private:
  void post(std::function<void()> f) {
    {
      std::lock_guard lock(commands_mu_);
      commands_.push_back(std::move(f));
    }
    commands_cv_.notify_one();
  }
  void run_commands() {
    std::deque<std::function<void()>> todo;
    {
      std::lock_guard lock(commands_mu_);
      todo.swap(commands_);
    }
    for (auto& f : todo) f();
  }
  // Waits up to FOR for a command.
  void wait(milliseconds for_ms) {
    std::unique_lock lock(commands_mu_);
    commands_cv_.wait_for(lock, for_ms, [this] { return !commands_.empty(); });
  }
  void info(std::string_view text) const {
    if (events_ && events_->info) events_->info(text);
  }
  bool wait_for_workers();
  void apply(engine::UserTargets targets);
  void step();
  void redispatch();
  std::vector<int> sequence(int n) const;
  int target_total() const;
  void check_spawned(Clock::time_point now);
  void apply_shape();
  void begin_stop(engine::StopReason reason);
  bool stop_done(Clock::time_point now);
  stats::Snapshot snapshot();
  int usable_workers() const;  // under st_->mu
  std::string class_summary(const std::vector<std::uint64_t>& counts) const;

  std::shared_ptr<Master::State> st_;
  engine::RunOptions opts_;
  const engine::RunEvents* events_ = nullptr;
  engine::ClassDispatcher dispatcher_;
  core::Micros started_mono_;
  stats::Aggregator aggregator_;
  RunSink sink_;

  std::mutex commands_mu_;
  std::condition_variable commands_cv_;
  std::deque<std::function<void()>> commands_;

  engine::UserTargets targets_;
  int current_ = 0;  // users dispatched now (the ramp's position)
  Clock::time_point next_step_;
  Clock::time_point ramp_done_at_;
  bool ramping_ = false;
  bool spawned_reported_ = true;
  std::optional<Clock::time_point> run_clock_;  // -t counts from here (all users spawned)
  Clock::time_point load_start_;
  std::optional<std::size_t> stage_;
  bool had_workers_ = false;
  bool stopping_ = false;
  engine::StopReason reason_ = engine::StopReason::kRunTime;
  std::string error_;
  Clock::time_point stop_deadline_;
  bool hurried_ = false;  // hurry_stop() ran
  std::uint64_t peak_users_ = 0;
  std::uint64_t users_at_stop_ = 0;
  std::vector<std::uint64_t> classes_at_stop_;
};

int MasterRun::usable_workers() const {
  int n = 0;
  for (const auto& [id, p] : st_->peers) n += p.usable() ? 1 : 0;
  return n;
}

std::string MasterRun::class_summary(const std::vector<std::uint64_t>& counts) const {
  std::string out;
  for (std::size_t i = 0; i < counts.size() && i < st_->suite.classes.size(); ++i) {
    out += fmt::format("{}{}: {}", out.empty() ? "" : ", ", st_->suite.classes[i].name, counts[i]);
  }
  return out;
}

bool MasterRun::wait_for_workers() {
  const Clock::time_point start = Clock::now();
  const int want = st_->opts.expect_workers;
  int last_logged = -1;
  while (true) {
    run_commands();
    if (stopping_) return false;
    if (st_->opts.interrupted && st_->opts.interrupted()) {
      reason_ = engine::StopReason::kSignal;
      return false;
    }
    int have = 0;
    {
      std::lock_guard lock(st_->mu);
      have = usable_workers();
    }
    if (have >= want) return true;
    if (have != last_logged) {
      info(fmt::format("Waiting for workers to be ready, {} of {} connected", have, want));
      last_logged = have;
    }
    const milliseconds max_wait = st_->opts.expect_workers_max_wait;
    if (max_wait.count() > 0 && Clock::now() - start >= max_wait) {
      reason_ = engine::StopReason::kFailed;
      error_ = fmt::format(
          "only {} of the {} expected workers connected within {:g} s "
          "(--expect-workers-max-wait); no load was sent",
          have, want, static_cast<double>(max_wait.count()) / 1000.0);
      return false;
    }
    wait(milliseconds(100));
  }
}

int MasterRun::target_total() const {
  if (!targets_.per_class) return std::max(0, targets_.users);
  int total = 0;
  for (int n : *targets_.per_class) total += std::max(0, n);
  return total;
}

// The classes of the first N users: Locust's weighted order, or the exact per-class counts one
// class after the other (each class then spreads evenly over the workers).
std::vector<int> MasterRun::sequence(int n) const {
  std::vector<int> out;
  if (!targets_.per_class) {
    out = dispatcher_.first(static_cast<std::size_t>(n));
    out.erase(std::find(out.begin(), out.end(), -1), out.end());
    return out;
  }
  for (std::size_t c = 0; c < targets_.per_class->size() && c < st_->suite.classes.size(); ++c) {
    for (int i = 0; i < (*targets_.per_class)[c] && static_cast<int>(out.size()) < n; ++i) {
      out.push_back(static_cast<int>(c));
    }
  }
  return out;
}

void MasterRun::apply(engine::UserTargets targets) {
  if (stopping_) return;
  targets.users = std::max(0, targets.users);
  if (!(targets.spawn_rate > 0)) targets.spawn_rate = 1;
  targets_ = std::move(targets);
  info(fmt::format("Ramping to {} users at a rate of {:.2f} per second", target_total(),
                   targets_.spawn_rate));
  if (events_ && events_->spawning) events_->spawning(targets_);
  ramping_ = true;
  spawned_reported_ = false;
  next_step_ = Clock::now();
  step();
}

// One step of the ramp: the next batch of users (a second's worth, or one user when the rate is
// below one per second) goes out to the workers, each told its new absolute share.
void MasterRun::step() {
  const int want = target_total();
  const double rate = targets_.spawn_rate;
  const int batch = std::max(1, static_cast<int>(std::floor(rate)));
  current_ = current_ < want ? std::min(want, current_ + batch) : std::max(want, current_ - batch);
  redispatch();
  if (current_ == want) {
    ramping_ = false;
    ramp_done_at_ = Clock::now();
  } else {
    next_step_ += rate >= 1 ? milliseconds(1000) : milliseconds(static_cast<int>(1000 / rate));
  }
}

void MasterRun::redispatch() {
  const std::vector<int> seq = sequence(current_);
  const std::size_t n_classes = st_->suite.classes.size();
  std::lock_guard lock(st_->mu);
  std::vector<Peer*> live;
  for (auto& [id, p] : st_->peers) {
    if (p.usable()) live.push_back(&p);
  }
  std::sort(live.begin(), live.end(), [](Peer* a, Peer* b) { return a->index < b->index; });
  if (live.empty()) return;
  had_workers_ = true;
  std::vector<std::vector<int>> share(live.size(), std::vector<int>(n_classes, 0));
  for (std::size_t k = 0; k < seq.size(); ++k) ++share[k % live.size()][seq[k]];
  Value tags =
      st_->opts.tags.empty() ? Value{} : Value(Array(st_->opts.tags.begin(), st_->opts.tags.end()));
  Value exclude = st_->opts.exclude_tags.empty()
                      ? Value{}
                      : Value(Array(st_->opts.exclude_tags.begin(), st_->opts.exclude_tags.end()));
  for (std::size_t w = 0; w < live.size(); ++w) {
    Peer& p = *live[w];
    if (p.assigned == share[w]) continue;
    p.assigned = share[w];
    p.spawn_acked = false;
    Map counts;
    for (std::size_t c = 0; c < n_classes; ++c) {
      counts.emplace_back(st_->suite.classes[c].name, share[w][c]);
    }
    p.last_timestamp = std::max(core::wall_unix_seconds(), p.last_timestamp + 1e-6);
    // arrload workers' share of every arrival-rate schedule (a Locust worker ignores the key):
    // worker w of n takes iterations w, w + n, ... and 1/n of each pool.
    Map arrival{{"index", static_cast<std::int64_t>(w)},
                {"count", static_cast<std::int64_t>(live.size())},
                {"rate", opts_.arrival_rate ? Value(*opts_.arrival_rate) : Value{}}};
    st_->post(p.id, "spawn",
              Map{{"timestamp", p.last_timestamp},
                  {"user_classes_count", std::move(counts)},
                  {"host", opts_.host.empty() ? Value{} : Value(opts_.host)},
                  {"stop_timeout", static_cast<double>(opts_.stop_timeout.count()) / 1e6},
                  {"parsed_options", Map{{"tags", tags},
                                         {"exclude_tags", exclude},
                                         {"expect_workers", st_->opts.expect_workers}}},
                  {"arrload_arrival", std::move(arrival)}});
  }
}

void MasterRun::check_spawned(Clock::time_point now) {
  if (spawned_reported_ || ramping_) return;
  bool acked = true;
  std::vector<std::uint64_t> counts(st_->suite.classes.size(), 0);
  {
    std::lock_guard lock(st_->mu);
    for (const auto& [id, p] : st_->peers) {
      if (!p.usable() || p.assigned.empty()) continue;
      acked &= p.spawn_acked;
      for (std::size_t c = 0; c < counts.size() && c < p.assigned.size(); ++c) {
        counts[c] += static_cast<std::uint64_t>(p.assigned[c]);
      }
    }
  }
  if (!acked && now - ramp_done_at_ < kSpawnAckWait) return;
  spawned_reported_ = true;
  info(fmt::format("{}: {} ({} total users)",
                   acked ? "All users spawned"
                         : "All users dispatched, but not every worker confirmed its share",
                   class_summary(counts), current_));
  if (!run_clock_) run_clock_ = now;
  if (events_ && events_->spawned) {
    engine::ClassCounts out;
    for (std::size_t c = 0; c < counts.size(); ++c) {
      out.emplace_back(st_->suite.classes[c].name, counts[c]);
    }
    events_->spawned(out);
  }
  if (opts_.reset_stats) {
    aggregator_.reset(core::now_us(), core::wall_unix_seconds());
    info("Resetting stats");
  }
}

void MasterRun::apply_shape() {
  if (!opts_.shape || stopping_) return;
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - load_start_);
  const std::optional<std::size_t> now = engine::stage_at(*opts_.shape, elapsed);
  if (!now) {
    info("Load shape finished. Stopping users");
    begin_stop(engine::StopReason::kRunTime);
    return;
  }
  if (now == stage_) return;
  stage_ = now;
  const scenario::ShapeStage& s = opts_.shape->stages[*now];
  dispatcher_ = engine::ClassDispatcher(engine::class_weights(st_->suite, s.classes));
  info(fmt::format("Shape '{}' stage {} of {}", opts_.shape->name, *now + 1,
                   opts_.shape->stages.size()));
  apply(engine::UserTargets{s.users, std::nullopt, s.spawn_rate});
}

void MasterRun::begin_stop(engine::StopReason reason) {
  if (stopping_) return;
  stopping_ = true;
  reason_ = reason;
  if (events_ && events_->stopping) events_->stopping(reason);
  std::lock_guard lock(st_->mu);
  users_at_stop_ = 0;
  classes_at_stop_.assign(st_->suite.classes.size(), 0);
  int told = 0;
  for (auto& [id, p] : st_->peers) {
    p.users_at_stop = p.present ? p.user_count : 0;
    users_at_stop_ += p.users_at_stop;
    for (std::size_t c = 0; c < classes_at_stop_.size() && c < p.class_counts.size(); ++c) {
      classes_at_stop_[c] += p.present ? p.class_counts[c] : 0;
    }
    if (!p.present || p.missing || p.assigned.empty()) continue;
    st_->post(id, "stop");
    p.stop_sent = true;
    p.stopped = false;
    p.final_stats = false;
    p.state = "stopping";
    ++told;
  }
  stop_deadline_ = Clock::now() + std::chrono::duration_cast<milliseconds>(opts_.stop_timeout) +
                   engine::kOnStopGrace + kFinalStatsWait;
  info(fmt::format("Stopping {} worker(s); waiting for their last statistics", told));
}

bool MasterRun::stop_done(Clock::time_point now) {
  std::lock_guard lock(st_->mu);
  std::vector<std::string> waiting;
  for (const auto& [id, p] : st_->peers) {
    if (!p.stop_sent || !p.present || p.missing) continue;
    if (!(p.stopped && p.final_stats)) waiting.push_back(id);
  }
  if (waiting.empty()) return true;
  if (now < stop_deadline_) return false;
  sink_.lost = true;
  info(
      fmt::format("Gave up waiting for the last statistics of {} worker(s) ({}...); the results "
                  "may miss their last seconds",
                  waiting.size(), waiting.front()));
  return true;
}

stats::Snapshot MasterRun::snapshot() {
  stats::Snapshot snap = aggregator_.snapshot(core::now_us(), core::wall_unix_seconds());
  std::vector<std::uint64_t> classes(st_->suite.classes.size(), 0);
  std::lock_guard lock(st_->mu);
  for (const auto& [id, p] : st_->peers) {
    if (!p.present) continue;
    snap.user_count += p.user_count;
    for (std::size_t c = 0; c < classes.size() && c < p.class_counts.size(); ++c) {
      classes[c] += p.class_counts[c];
    }
  }
  peak_users_ = std::max(peak_users_, snap.user_count);
  snap.peak_user_count = peak_users_;
  for (std::size_t c = 0; c < classes.size(); ++c) {
    snap.users_per_class.emplace_back(st_->suite.classes[c].name, classes[c]);
  }
  snap.exceptions.assign(sink_.exceptions.begin(), sink_.exceptions.end());
  std::stable_sort(snap.exceptions.begin(), snap.exceptions.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return snap;
}

engine::RunResult MasterRun::run(const engine::RunEvents& events) {
  events_ = &events;
  sink_.aggregator = &aggregator_;
  {
    std::lock_guard lock(st_->mu);
    st_->sink = &sink_;
    for (auto& [id, p] : st_->peers) {
      p.assigned.clear();
      p.spawn_acked = true;
      p.stop_sent = false;
      p.saturated = false;
      p.peak_cpu = p.cpu;
      p.users_at_stop = 0;
    }
  }
  const bool go = !st_->opts.wait_for_workers || wait_for_workers();
  aggregator_.reset(core::now_us(), core::wall_unix_seconds());
  load_start_ = Clock::now();
  Clock::time_point next_tick = load_start_ + milliseconds(1000);
  int ticks = 0;
  if (go && !stopping_) {
    if (opts_.shape) {
      apply_shape();
    } else {
      apply(engine::UserTargets{opts_.users, opts_.users_per_class, opts_.spawn_rate});
    }
  } else if (!stopping_) {
    stopping_ = true;  // nothing was started: nothing to wait for
  }
  while (true) {
    run_commands();
    const Clock::time_point now = Clock::now();
    if (!stopping_) {
      if (st_->opts.interrupted && st_->opts.interrupted()) {
        info("Received a signal, stopping the workers (a second Ctrl-C ends the run at once)");
        begin_stop(engine::StopReason::kSignal);
      }
      apply_shape();
      if (ramping_ && now >= next_step_) step();
      bool joined = false, lost = false;
      int usable = 0;
      {
        std::lock_guard lock(st_->mu);
        joined = std::exchange(sink_.joined, false);
        lost = std::exchange(sink_.lost, false);
        usable = usable_workers();
      }
      if (stopping_) {
        // stopped just now (a signal, the shape's end): the workers are being told
      } else if (had_workers_ && usable == 0) {
        reason_ = engine::StopReason::kFailed;
        error_ = "every worker is gone (quit or missing); the run cannot go on";
        info("Every worker is gone: ending the run");
        stopping_ = true;
      } else if (joined || (lost && st_->opts.enable_rebalancing)) {
        redispatch();
      }
      if (!stopping_) check_spawned(now);
      if (!stopping_ && opts_.run_time && run_clock_ && now - *run_clock_ >= *opts_.run_time) {
        info("Time limit reached. Stopping users");
        begin_stop(engine::StopReason::kRunTime);
      }
    }
    if (now >= next_tick) {
      aggregator_.tick();
      const stats::Snapshot snap = snapshot();
      if (events_->every_second) events_->every_second(snap);
      if (++ticks % 2 == 0 && events_->every_two_seconds) events_->every_two_seconds(snap);
      next_tick += milliseconds(1000);
    }
    // A second signal, or a first one while the run stops for another reason (its run time,
    // --abort-on-fail), ends it now, as on a one-process run.
    if (stopping_ && !hurried_ &&
        ((st_->opts.hurried && st_->opts.hurried()) ||
         (reason_ != engine::StopReason::kSignal && st_->opts.interrupted &&
          st_->opts.interrupted()))) {
      hurry_stop();
    }
    if (stopping_ && stop_done(now)) break;
    wait(milliseconds(50));
  }
  aggregator_.tick();
  engine::RunResult result;
  result.final = snapshot();
  // The reports describe the load that ran, not the zero users left after stopping.
  if (users_at_stop_ > 0) {
    result.final.user_count = users_at_stop_;
    for (std::size_t c = 0; c < result.final.users_per_class.size(); ++c) {
      result.final.users_per_class[c].second = classes_at_stop_[c];
    }
  }
  result.reason = reason_;
  result.error = error_;
  std::lock_guard lock(st_->mu);
  st_->sink = nullptr;
  if (!sink_.approximate.empty()) {
    std::string rows;
    for (const stats::EndpointKey& k : sink_.approximate) {
      if (rows.size() < 300)
        rows += fmt::format("{}{} {}", rows.empty() ? "" : ", ", k.method, k.name);
    }
    result.notes.push_back(fmt::format(
        "Response times of {} row(s) came from Locust workers, which send them rounded "
        "(1 ms below 100 ms, then 10 ms, 100 ms, 1 s): their percentiles are approximate ({})",
        sink_.approximate.size(), rows));
  }
  for (const auto& [id, p] : st_->peers) {
    if (!p.assigned.empty() || p.users_at_stop > 0) {
      info(fmt::format("Worker {} ({}): {} users at the end, peak CPU {}, memory {:.0f} MiB{}", id,
                       p.arrload ? "arrload" : "Locust", p.users_at_stop, percent(p.peak_cpu),
                       static_cast<double>(p.memory) / (1024.0 * 1024.0),
                       !p.present  ? " (gone)"
                       : p.missing ? " (missing)"
                                   : ""));
    }
    if (p.saturated) {
      result.notes.push_back(fmt::format(
          "Worker {} reported up to {} CPU: its response times may include its own delays", id,
          percent(p.peak_cpu)));
    }
  }
  return result;
}

}  // namespace

Master::Master(const scenario::Suite& suite, MasterOptions options)
    : state_(std::make_shared<State>(suite, std::move(options))) {
  state_->bind();
  state_->thread = std::thread([st = state_.get()] { st->loop(); });
}

Master::~Master() {
  int told = 0;
  {
    std::lock_guard lock(state_->mu);
    for (auto& [id, p] : state_->peers) {
      if (!p.present) continue;
      state_->post(id, "quit");
      ++told;
    }
  }
  // Workers answer quit with their last report and their own quit (not waited for after a
  // second signal).
  const bool hurried = state_->opts.hurried && state_->opts.hurried();
  const Clock::time_point until = Clock::now() + milliseconds(told > 0 && !hurried ? 2000 : 0);
  while (Clock::now() < until) {
    {
      std::lock_guard lock(state_->mu);
      bool any = false;
      for (const auto& [id, p] : state_->peers) any |= p.present && !p.missing;
      if (!any) break;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  state_->quit = true;
  state_->thread.join();
}

std::unique_ptr<engine::Engine> Master::new_run(engine::RunOptions options) {
  return std::make_unique<MasterRun>(state_, std::move(options));
}

std::vector<WorkerView> Master::workers() const {
  std::vector<WorkerView> out;
  std::vector<std::pair<int, WorkerView>> sorted;
  std::lock_guard lock(state_->mu);
  for (const auto& [id, p] : state_->peers) {
    if (!p.present) continue;
    sorted.push_back({p.index, WorkerView{id, p.missing ? "missing" : p.state, p.user_count, p.cpu,
                                          p.memory, p.arrload}});
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [i, v] : sorted) out.push_back(std::move(v));
  return out;
}

int Master::port() const { return state_->port; }

}  // namespace arrload::cluster
