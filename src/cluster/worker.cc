#include "cluster/worker.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <zmq.hpp>

#include "cluster/connection_watch.h"
#include "cluster/message.h"
#include "cluster/process_usage.h"
#include "cluster/run_thread.h"
#include "core/clock.h"
#include "core/redact.h"
#include "stats/codec.h"

namespace arrload::cluster {

namespace {

using Clock = std::chrono::steady_clock;

// A spawn's targets are reached at once, as a Locust worker does: the master's dispatcher
// already paces the ramp-up with its spawn messages.
constexpr double kImmediate = 1e6;

class Worker {
 public:
  Worker(const scenario::Suite& suite, const WorkerOptions& opts)
      : suite_(suite), opts_(opts), node_id_(make_node_id()) {
    shared_.on_snapshot = opts_.on_snapshot;
    shared_.on_state = opts_.on_state;
    endpoint_ = fmt::format("tcp://{}:{}", opts_.master_host, opts_.master_port);
    open_socket();
  }

  int run();

 private:
  enum class AfterRun { kNothing, kReady, kQuit, kReconnect };

  void log(std::string_view level, std::string_view text) const {
    if (opts_.log) {
      opts_.log(level, text);
    } else {
      fmt::print(stderr, "{}: {}\n", level, text);
    }
  }
  void open_socket();
  void send(const std::string& type, Value data = {});
  void receive_all();
  void handle(const Message& m);
  void on_spawn(const Value& data);
  // The users per class (suite order) of a spawn's user_classes_count; bad entries and classes
  // the scenario lacks are logged and count 0.
  std::vector<int> class_targets(const Map& counts);
  void start_run(const Value& spawn, const std::vector<int>& per_class, int total);
  void on_stop();
  void on_quit(std::string_view why);
  void drain_events();
  void on_finished(engine::StopReason reason);
  void send_stats();
  void log_totals();
  void watch_link(Clock::time_point now);
  // The master is gone: the users stop, and the worker waits for a master as at its start.
  void lose_master();
  Value class_counts(const engine::ClassCounts& counts) const;

  // The suite of the current run: the worker's, filtered by the master's tags (a spawn's
  // parsed_options) when it sends any.
  const scenario::Suite& suite() const { return run_suite_ ? *run_suite_ : suite_; }
  void take_tags(const Value& spawn);

  const scenario::Suite& suite_;
  std::optional<scenario::Suite> run_suite_;
  const WorkerOptions& opts_;
  std::string node_id_;
  std::string endpoint_;
  zmq::context_t context_;
  zmq::socket_t socket_;
  std::unique_ptr<ConnectionWatch> watch_;  // of socket_
  WorkerShared shared_;
  std::unique_ptr<RunThread> run_;
  std::string state_ = "ready";  // what the heartbeat says
  bool connected_ = false;
  bool done_ = false;
  AfterRun after_run_ = AfterRun::kNothing;
  std::optional<Value> deferred_spawn_;  // a spawn that came while the run was stopping
  double last_spawn_timestamp_ = 0;
  bool link_lost_ = false;  // the connection to the master is down
  Clock::time_point link_lost_at_;
  int exit_status_ = 0;
  Clock::time_point connecting_since_ = Clock::now();
  bool reconnecting_ = false;  // waiting for a master again after losing one
  ProcessUsage usage_;
};

void Worker::open_socket() {
  watch_.reset();
  socket_ = zmq::socket_t(context_, ZMQ_DEALER);
  socket_.set(zmq::sockopt::routing_id, node_id_);
  // The last messages (final stats, quit) still leave when the socket closes right after them.
  socket_.set(zmq::sockopt::linger, 2000);
  socket_.set(zmq::sockopt::tcp_keepalive, 1);
  socket_.set(zmq::sockopt::tcp_keepalive_idle, 30);
  // ZMTP pings, answered by the peer's ZeroMQ library (Locust's master too): a master that is
  // frozen or cut off closes the connection within seconds instead of TCP's minutes.
  socket_.set(zmq::sockopt::heartbeat_ivl, 2000);
  socket_.set(zmq::sockopt::heartbeat_timeout, 10000);
  watch_ = std::make_unique<ConnectionWatch>(context_, socket_);
  socket_.connect(endpoint_);
}

void Worker::send(const std::string& type, Value data) {
  const std::string bytes = encode(Message{type, std::move(data), node_id_});
  try {
    if (!socket_.send(zmq::buffer(bytes), zmq::send_flags::dontwait)) {
      log("WARNING", fmt::format("Could not send {} to the master (queue full)", type));
    }
  } catch (const zmq::error_t& e) {
    log("WARNING", fmt::format("Could not send {} to the master: {}", type, e.what()));
  }
}

void Worker::receive_all() {
  while (!done_) {
    zmq::message_t frame;
    std::optional<std::size_t> got;
    try {
      got = socket_.recv(frame, zmq::recv_flags::dontwait);
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      throw;
    }
    if (!got) return;
    if (frame.more()) {
      // Locust's master sends one frame per message; drop the whole multipart message.
      while (frame.more() && socket_.recv(frame, zmq::recv_flags::dontwait)) {
      }
      log("WARNING", "Dropped a multipart message from the master (Locust sends one frame)");
      continue;
    }
    std::string error;
    std::optional<Message> m = decode(frame.to_string_view(), error);
    if (!m) {
      log("WARNING", fmt::format("Dropped a malformed message from the master ({} bytes): {}",
                                 frame.size(), error));
      continue;
    }
    handle(*m);
  }
}

void Worker::handle(const Message& m) {
  if (m.type == "ack") {
    if (!connected_) {
      connected_ = true;
      const Value* index = m.data.find("index");
      log("INFO", fmt::format("Connected to the master at {} as {} (worker index {})", endpoint_,
                              node_id_, index && index->as_int() ? *index->as_int() : -1));
    }
  } else if (m.type == "spawn") {
    on_spawn(m.data);
  } else if (m.type == "stop") {
    on_stop();
  } else if (m.type == "quit") {
    on_quit("Got quit from the master");
  } else if (m.type == "arrload_refused") {
    const Value* reason = m.data.find("reason");
    log("ERROR", reason && reason->as_str() ? *reason->as_str()
                                            : "the master refused this worker (no reason given)");
    exit_status_ = 2;
    socket_.set(zmq::sockopt::linger, 0);
    done_ = true;
  } else if (m.type == "reconnect") {
    log("WARNING", "The master asked to reconnect: reopening the connection");
    open_socket();
  } else {
    log("WARNING", fmt::format("Unknown message type '{}' from the master; dropped", m.type));
  }
}

void Worker::on_spawn(const Value& data) {
  if (done_) return;
  if (run_ && after_run_ != AfterRun::kNothing) {
    deferred_spawn_ = data;  // taken up once the stopping run has ended
    return;
  }
  send("spawning");
  const Value* timestamp = data.find("timestamp");
  const Value* counts = data.find("user_classes_count");
  if (!timestamp || !timestamp->as_number() || !std::isfinite(*timestamp->as_number()) || !counts ||
      !counts->as_map()) {
    log("WARNING", fmt::format("Dropped a spawn message without timestamp or user_classes_count "
                               "({})",
                               data.describe()));
    return;
  }
  if (*timestamp->as_number() <= last_spawn_timestamp_) {
    log("INFO", "Dropped a spawn message not newer than the previous one");
    return;
  }
  last_spawn_timestamp_ = *timestamp->as_number();
  if (!run_) take_tags(data);
  const std::vector<int> per_class = class_targets(*counts->as_map());
  int total = 0;
  std::string listed;
  for (std::size_t i = 0; i < per_class.size(); ++i) {
    total += per_class[i];
    listed +=
        fmt::format("{}{}: {}", listed.empty() ? "" : ", ", suite().classes[i].name, per_class[i]);
  }
  log("INFO", fmt::format("Spawning {} users ({})", total, listed));
  state_ = "spawning";
  if (run_) {
    run_->control().retarget(engine::UserTargets{total, per_class, kImmediate});
  } else {
    start_run(data, per_class, total);
  }
}

void Worker::take_tags(const Value& spawn) {
  run_suite_.reset();
  const Value* parsed = spawn.find("parsed_options");
  auto list = [&](const char* key) {
    std::vector<std::string> out;
    const Value* v = parsed ? parsed->find(key) : nullptr;
    if (v == nullptr || !v->as_array()) return out;
    for (const Value& t : *v->as_array()) {
      if (t.as_str()) out.push_back(*t.as_str());
    }
    return out;
  };
  const std::vector<std::string> tags = list("tags"), exclude = list("exclude_tags");
  if (tags.empty() && exclude.empty()) return;
  run_suite_ = suite_;
  scenario::filter_tags(*run_suite_, tags, exclude);
  log("INFO", fmt::format("The master's tags (-T {} / -E {}) leave {} of {} user classes",
                          tags.empty() ? "-" : fmt::format("{}", fmt::join(tags, ",")),
                          exclude.empty() ? "-" : fmt::format("{}", fmt::join(exclude, ",")),
                          run_suite_->classes.size(), suite_.classes.size()));
}

std::vector<int> Worker::class_targets(const Map& counts) {
  const scenario::Suite& su = suite();
  std::vector<int> per_class(su.classes.size(), 0);
  for (const auto& [name, count] : counts) {
    const std::string* n = name.as_str();
    std::optional<std::int64_t> c = count.as_int();
    if (n == nullptr || !c || *c < 0 || *c > 10'000'000) {
      log("WARNING", fmt::format("Ignored a bad user count in a spawn message: {} = {}",
                                 name.describe(), count.describe()));
      continue;
    }
    std::size_t i = 0;
    while (i < su.classes.size() && su.classes[i].name != *n) ++i;
    if (i == su.classes.size()) {
      if (*c > 0) {
        log("WARNING", fmt::format("The master asked for {} users of class '{}', which the "
                                   "scenario does not have; ignored",
                                   *c, *n));
      }
      continue;
    }
    per_class[i] = static_cast<int>(*c);
  }
  return per_class;
}

void Worker::start_run(const Value& spawn, const std::vector<int>& per_class, int total) {
  engine::RunOptions ro = opts_.run;
  ro.users = total;
  ro.users_per_class = per_class;
  ro.spawn_rate = kImmediate;
  ro.run_time.reset();
  ro.shape.reset();
  if (const Value* host = spawn.find("host"); host && host->as_str() && !host->as_str()->empty()) {
    ro.host = *host->as_str();
  }
  // Locust's stop_timeout: seconds, or None. Bounded, as it comes from the network.
  if (const Value* st = spawn.find("stop_timeout"); st && st->as_number()) {
    const double given = *st->as_number();
    const double seconds = given >= 0 ? std::min(given, 86'400.0) : 0.0;  // NaN too
    ro.stop_timeout = std::chrono::microseconds(static_cast<std::int64_t>(seconds * 1e6));
  }
  // An arrload master's share of the arrival-rate schedules for this worker (fixed for the run).
  if (const Value* a = spawn.find("arrload_arrival"); a && a->as_map()) {
    const Value* index = a->find("index");
    const Value* count = a->find("count");
    if (index && count && index->as_int() && count->as_int() && *count->as_int() >= 1 &&
        *count->as_int() <= 1'000'000 && *index->as_int() >= 0 &&
        *index->as_int() < *count->as_int()) {
      ro.segment = {static_cast<std::uint64_t>(*index->as_int()),
                    static_cast<std::uint64_t>(*count->as_int())};
    }
    if (const Value* rate = a->find("rate");
        rate && rate->as_number() && std::isfinite(*rate->as_number()) && *rate->as_number() > 0) {
      ro.arrival_rate = *rate->as_number();
    }
  }
  try {
    run_ = std::make_unique<RunThread>(suite(), std::move(ro), shared_,
                                       [this](std::string_view text) { log("INFO", text); });
  } catch (const std::exception& e) {
    log("ERROR", fmt::format("Cannot start the users: {}", e.what()));
    send("exception", Map{{"msg", core::redact(e.what())}, {"traceback", ""}});
    state_ = "ready";
  }
}

void Worker::on_stop() {
  if (!run_) {
    send("client_stopped");
    send("client_ready", opts_.version);
    state_ = "ready";
    return;
  }
  log("INFO", "Stopping the users (the master said stop)");
  if (after_run_ == AfterRun::kNothing) after_run_ = AfterRun::kReady;
  deferred_spawn_.reset();
  state_ = "stopping";
  run_->control().stop(engine::StopReason::kRequested);
}

void Worker::on_quit(std::string_view why) {
  if (done_ || after_run_ == AfterRun::kQuit) return;
  log("INFO", fmt::format("{}: stopping the users, sending the last statistics, quitting", why));
  after_run_ = AfterRun::kQuit;
  deferred_spawn_.reset();
  if (run_) {
    state_ = "stopping";
    run_->control().stop(engine::StopReason::kRequested);
    return;
  }
  on_finished(engine::StopReason::kRequested);
}

Value Worker::class_counts(const engine::ClassCounts& counts) const {
  Map out;
  for (const auto& [name, n] : counts) out.emplace_back(name, n);
  return out;
}

void Worker::drain_events() {
  std::deque<RunEvent> events;
  {
    std::lock_guard lock(shared_.mu);
    events.swap(shared_.events);
  }
  for (const RunEvent& e : events) {
    if (e.kind == RunEvent::Kind::kSpawned) {
      if (after_run_ != AfterRun::kNothing) continue;  // stopping: not running any more
      std::uint64_t total = 0;
      for (const auto& [name, n] : e.counts) total += n;
      state_ = "running";
      send("spawning_complete",
           Map{{"user_classes_count", class_counts(e.counts)}, {"user_count", total}});
      log("INFO", fmt::format("All {} users spawned", total));
    } else {
      on_finished(e.reason);
    }
  }
}

void Worker::lose_master() {
  deferred_spawn_.reset();
  if (run_) {
    after_run_ = AfterRun::kReconnect;
    state_ = "stopping";
    run_->control().stop(engine::StopReason::kRequested);
    return;
  }
  after_run_ = AfterRun::kReconnect;
  on_finished(engine::StopReason::kRequested);
}

void Worker::on_finished(engine::StopReason reason) {
  run_.reset();  // joins the run's thread (already returned)
  if (opts_.run_ended) opts_.run_ended();
  engine::ClassCounts zero;
  for (const scenario::UserClass& c : suite().classes) zero.emplace_back(c.name, 0);
  {
    std::lock_guard lock(shared_.mu);
    shared_.reporter.set_users(zero);
  }
  // What the run recorded since the last report goes out now, before the master forgets us.
  send_stats();
  if (reason == engine::StopReason::kSignal) after_run_ = AfterRun::kQuit;
  if (after_run_ == AfterRun::kReconnect) {
    // What the run recorded is lost with its master (the statistics above went nowhere).
    log("INFO", "Users stopped; waiting for a master");
    after_run_ = AfterRun::kNothing;
    state_ = "ready";
    connected_ = false;
    connecting_since_ = Clock::now();
    reconnecting_ = true;
    send("client_ready", opts_.version);
    return;
  }
  if (after_run_ == AfterRun::kQuit) {
    send("quit");
    log_totals();
    done_ = true;
    return;
  }
  log("INFO", "Users stopped; ready for the next spawn");
  send("client_stopped");
  send("client_ready", opts_.version);
  state_ = "ready";
  after_run_ = AfterRun::kNothing;
  if (deferred_spawn_) {
    Value spawn = std::move(*deferred_spawn_);
    deferred_spawn_.reset();
    on_spawn(spawn);
  }
}

void Worker::send_stats() {
  Value data;
  Bin exact;
  {
    std::lock_guard lock(shared_.mu);
    data = shared_.reporter.report(core::wall_unix_seconds());
    stats::encode_delta(shared_.delta, exact.bytes);
    shared_.delta = stats::Delta{};
  }
  // Locust's fields for any master, and the exact samples for an arrload master.
  if (Map* fields = data.as_map()) fields->emplace_back(kDeltaKey, std::move(exact));
  send("stats", std::move(data));
}

void Worker::log_totals() {
  std::lock_guard lock(shared_.mu);
  const ReportedTotals& t = shared_.reporter.reported();
  for (const auto& [key, n] : t.requests) {
    log("INFO", fmt::format("Reported {} {}: {} requests, {} failures", key.method, key.name, n,
                            t.failures.at(key)));
  }
  log("INFO", fmt::format("Reported to the master in total: {} requests, {} failures",
                          t.all_requests, t.all_failures));
}

// A 2.12.1 master sends nothing while a run goes on, so only the connection itself tells that
// it went away: after master_timeout without it the users stop and the worker exits, rather than
// loading the target for nobody.
void Worker::watch_link(Clock::time_point now) {
  const ConnectionWatch::Change change = watch_->poll();
  if (change == ConnectionWatch::Change::kDown && !link_lost_) {
    link_lost_ = true;
    link_lost_at_ = now;
    log("WARNING", fmt::format("Lost the connection to the master at {}; the users stop if it is "
                               "not back within {:g} s",
                               endpoint_, opts_.master_timeout.count() / 1000.0));
  } else if (change == ConnectionWatch::Change::kUp && link_lost_) {
    link_lost_ = false;
    log("INFO", "The connection to the master is back; announcing this worker again");
    send("client_ready", opts_.version);
  }
  if (link_lost_ && connected_ && now - link_lost_at_ >= opts_.master_timeout &&
      after_run_ != AfterRun::kQuit && after_run_ != AfterRun::kReconnect && !done_) {
    log("ERROR", fmt::format("The master at {} has been unreachable for {:g} s: stopping the "
                             "users (no load without a master); waiting up to {:g} s for it to "
                             "come back",
                             endpoint_, opts_.master_timeout.count() / 1000.0,
                             opts_.connect_timeout.count() / 1000.0));
    lose_master();
  }
}

int Worker::run() {
  log("INFO", fmt::format("Worker {} connecting to the master at {}", node_id_, endpoint_));
  send("client_ready", opts_.version);
  const Clock::time_point start = Clock::now();
  connecting_since_ = start;
  Clock::time_point ready_sent = start, next_beat = start, next_report = start + opts_.report_every;
  while (!done_) {
    if (opts_.interrupted && opts_.interrupted()) on_quit("Interrupted");
    zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items, 1, std::chrono::milliseconds(100));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
    }
    receive_all();
    drain_events();
    const Clock::time_point now = Clock::now();
    watch_link(now);
    if (!connected_ && !done_) {
      if (now - connecting_since_ >= opts_.connect_timeout) {
        if (reconnecting_) {
          log("ERROR", fmt::format("No master came back at {} within {:g} s; exiting", endpoint_,
                                   opts_.connect_timeout.count() / 1000.0));
          socket_.set(zmq::sockopt::linger, 0);
          return 1;
        }
        log("ERROR", fmt::format("No Locust master answered at {} within {:g} s (is it running "
                                 "with --master on that address and port?)",
                                 endpoint_, opts_.connect_timeout.count() / 1000.0));
        socket_.set(zmq::sockopt::linger, 0);  // nobody will take the queued client_ready
        return 1;
      }
      if (now - ready_sent >= opts_.resend_every) {
        send("client_ready", opts_.version);
        ready_sent = now;
      }
      continue;
    }
    if (now >= next_beat) {
      send("heartbeat", Map{{"state", state_},
                            {"current_cpu_usage", usage_.cpu_percent()},
                            {"current_memory_usage", ProcessUsage::rss_bytes()}});
      next_beat = now + opts_.heartbeat_every;
    }
    if (now >= next_report && !done_) {
      send_stats();
      next_report = now + opts_.report_every;
    }
  }
  return exit_status_;
}

}  // namespace

std::string make_node_id() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "localhost");
  std::random_device rd;
  std::string hex;
  for (int i = 0; i < 4; ++i) hex += fmt::format("{:08x}", rd());
  return std::string(host) + "_" + hex;
}

int run_worker(const scenario::Suite& suite, const WorkerOptions& options) {
  Worker worker(suite, options);
  return worker.run();
}

}  // namespace arrload::cluster
