// The master against scripted workers (ZeroMQ DEALERs in this test): exact merging of arrload
// workers' samples, Locust workers' rounded rows, dispatch by weight, refusal of another
// scenario, and garbage that must not hurt it. Real workers:
// tests/integration/arrload_master_test.cc.
#include "cluster/master.h"

#include <future>
#include <thread>
#include <zmq.hpp>

#include <gtest/gtest.h>

#include "cluster/message.h"
#include "cluster/run_thread.h"
#include "scenario/loader.h"
#include "stats/codec.h"
#include "stats/delta.h"

namespace arrload::testing {
namespace {

using cluster::Map;
using cluster::Message;
using cluster::Value;
using namespace std::chrono_literals;

constexpr const char* kTwoClasses = R"(
users:
  - name: Pinger
    weight: 3
    tasks:
      - {name: ping, request: GET /ping}
  - name: Breaker
    weight: 1
    tasks:
      - {name: broken, request: GET /broken}
)";

class FakeWorker {
 public:
  FakeWorker(zmq::context_t& ctx, int port, std::string id)
      : socket_(ctx, zmq::socket_type::dealer), id_(std::move(id)) {
    socket_.set(zmq::sockopt::routing_id, id_);
    socket_.set(zmq::sockopt::linger, 0);
    socket_.connect("tcp://127.0.0.1:" + std::to_string(port));
  }
  void send(const std::string& type, Value data = {}) {
    socket_.send(zmq::buffer(cluster::encode(Message{type, std::move(data), id_})),
                 zmq::send_flags::none);
  }
  void send_raw(const std::vector<std::string>& frames) {
    for (std::size_t i = 0; i < frames.size(); ++i) {
      socket_.send(zmq::buffer(frames[i]),
                   i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
  }
  // The next message of TYPE within LIMIT; nullopt on timeout.
  std::optional<Message> next(const std::string& type, std::chrono::milliseconds limit = 10s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 1, 50ms);
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      zmq::message_t frame;
      EXPECT_TRUE(socket_.recv(frame));
      std::string error;
      std::optional<Message> m = cluster::decode(frame.to_string_view(), error);
      EXPECT_TRUE(m) << error;
      if (m && m->type == type) return m;
    }
    return std::nullopt;
  }
  const std::string& id() const { return id_; }

 private:
  zmq::socket_t socket_;
  std::string id_;
};

// The users per class a spawn gives.
std::map<std::string, std::int64_t> counts_of(const Message& spawn) {
  std::map<std::string, std::int64_t> out;
  for (const auto& [k, v] : *spawn.data.find("user_classes_count")->as_map()) {
    out[*k.as_str()] = *v.as_int();
  }
  return out;
}

// What a worker recorded: N requests to /ping at BASE_US + i µs, every 7th to /broken failing.
stats::Delta samples(std::uint64_t base_us, int n) {
  stats::Shard shard;
  for (int i = 0; i < n; ++i) {
    if (i % 7 == 0) {
      shard.record("GET", "/broken", base_us * 3 + i, 10, true, "HTTPError('500')");
    } else {
      shard.record("GET", "/ping", base_us + static_cast<std::uint64_t>(i) * 13, 20, false);
    }
  }
  stats::Delta d;
  d.add(shard.take(), 1'800'000'000);
  d.add_exception("boom", 2);
  return d;
}

Value report_with(const stats::Delta& d, std::uint64_t users) {
  cluster::Bin exact;
  stats::encode_delta(d, exact.bytes);
  return Map{{"stats", cluster::Array{}},
             {"stats_total", Map{}},
             {"errors", Map{}},
             {"user_count", users},
             {cluster::kDeltaKey, std::move(exact)}};
}

class MasterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    suite_ = scenario::load_suite_from_strings({{"two.yaml", kTwoClasses}}, "two.yaml");
    opts_.bind_host = "127.0.0.1";
    opts_.bind_port = 0;
    opts_.log = [this](std::string_view level, std::string_view text) {
      std::lock_guard lock(log_mu_);
      log_ += std::string(level) + ": " + std::string(text) + "\n";
    };
  }
  std::string log() {
    std::lock_guard lock(log_mu_);
    return log_;
  }
  // Starts a run of USERS users for RUN_TIME on its own thread.
  std::future<engine::RunResult> start(cluster::Master& master, int users,
                                       std::chrono::milliseconds run_time) {
    engine::RunOptions ro;
    ro.users = users;
    ro.spawn_rate = 1000;
    ro.run_time = run_time;
    ro.host = "http://127.0.0.1:1";
    run_ = master.new_run(ro);
    return std::async(std::launch::async, [this] { return run_->run(events_); });
  }

  std::optional<scenario::Suite> suite_;
  cluster::MasterOptions opts_;
  std::mutex log_mu_;
  std::string log_;
  zmq::context_t ctx_;
  engine::RunEvents events_;
  std::unique_ptr<engine::Engine> run_;
};

TEST_F(MasterTest, MergesArrloadWorkersExactlyAndDispatchesByWeight) {
  opts_.expect_workers = 2;
  opts_.wait_for_workers = true;
  cluster::Master master(*suite_, opts_);
  FakeWorker a(ctx_, master.port(), "host_a"), b(ctx_, master.port(), "host_b");
  a.send("client_ready", cluster::worker_version("test", ""));
  ASSERT_TRUE(a.next("ack"));
  std::future<engine::RunResult> done = start(master, 8, 1500ms);
  b.send("client_ready", "");  // a Debian Locust worker's empty version is accepted
  ASSERT_TRUE(b.next("ack"));

  std::optional<Message> sa = a.next("spawn"), sb = b.next("spawn");
  ASSERT_TRUE(sa && sb);
  // 8 users at 3:1 over two workers: 6 Pingers and 2 Breakers in all, 4 users each.
  auto ca = counts_of(*sa), cb = counts_of(*sb);
  EXPECT_EQ(ca["Pinger"] + cb["Pinger"], 6);
  EXPECT_EQ(ca["Breaker"] + cb["Breaker"], 2);
  EXPECT_EQ(ca["Pinger"] + ca["Breaker"], 4);
  EXPECT_EQ(*sa->data.find("host")->as_str(), "http://127.0.0.1:1");
  a.send("spawning_complete",
         Map{{"user_classes_count", *sa->data.find("user_classes_count")}, {"user_count", 4}});
  b.send("spawning_complete",
         Map{{"user_classes_count", *sb->data.find("user_classes_count")}, {"user_count", 4}});

  const stats::Delta da = samples(1'000, 500), db = samples(40'000, 300);
  a.send("stats", report_with(da, 4));
  ASSERT_TRUE(a.next("stop", 10s));
  ASSERT_TRUE(b.next("stop", 1s));
  b.send("stats", report_with(db, 0));
  b.send("client_stopped");
  a.send("stats", report_with(stats::Delta{}, 0));
  a.send("client_stopped");
  ASSERT_EQ(done.wait_for(10s), std::future_status::ready) << log();
  engine::RunResult r = done.get();
  EXPECT_EQ(r.reason, engine::StopReason::kRunTime);

  // Field for field what one process recording both workers' samples would hold.
  stats::Delta both = da;
  both.merge(db);
  ASSERT_EQ(r.final.endpoints.size(), 2u);
  for (const stats::EndpointStats& e : r.final.endpoints) {
    EXPECT_EQ(e.total, both.endpoints.at(e.key).entry) << e.key.name;
  }
  EXPECT_EQ(r.final.aggregated.total.latency.percentile(0.95), [&] {
    stats::Histogram h;
    for (const auto& [k, e] : both.endpoints) h.merge(e.entry.latency);
    return h.percentile(0.95);
  }());
  ASSERT_EQ(r.final.errors.size(), 1u);
  EXPECT_EQ(r.final.errors[0].second.occurrences, both.errors.begin()->second.occurrences);
  ASSERT_EQ(r.final.exceptions.size(), 1u);
  EXPECT_EQ(r.final.exceptions[0], std::make_pair(std::string("boom"), std::uint64_t{4}));
  EXPECT_EQ(r.final.user_count, 8u);  // the load that ran, not the zero left after the stop
  EXPECT_TRUE(r.notes.empty()) << r.notes.front();
  EXPECT_NE(log().find("(arrload) connected"), std::string::npos) << log();
  EXPECT_NE(log().find("(Locust) connected"), std::string::npos) << log();
}

TEST_F(MasterTest, LocustRowsAreMergedFromTheirBucketsAndMarkedApproximate) {
  cluster::Master master(*suite_, opts_);
  FakeWorker w(ctx_, master.port(), "locust_1");
  w.send("client_ready", "");
  ASSERT_TRUE(w.next("ack"));
  std::future<engine::RunResult> done = start(master, 1, 1000ms);
  std::optional<Message> spawn = w.next("spawn");
  ASSERT_TRUE(spawn);
  w.send("spawning_complete",
         Map{{"user_classes_count", *spawn->data.find("user_classes_count")}, {"user_count", 1}});
  // Locust's fields only: 10 requests, 3 at 12 ms, 7 at 150 ms (a float key), 2 failures.
  Map entry{{"name", "/ping"},
            {"method", "GET"},
            {"num_requests", 10},
            {"num_failures", 2},
            {"total_content_length", 500},
            {"response_times", Map{{Value(12), Value(3)}, {Value(150.0), Value(7)}}}};
  Map error{
      {"name", "/ping"}, {"method", "GET"}, {"error", "ConnectionError()"}, {"occurrences", 2}};
  w.send("stats",
         Map{{"stats", cluster::Array{entry}}, {"errors", Map{{"k", error}}}, {"user_count", 1}});
  ASSERT_TRUE(w.next("stop"));
  w.send("stats", Map{{"stats", cluster::Array{}}, {"errors", Map{}}, {"user_count", 0}});
  w.send("client_stopped");
  ASSERT_EQ(done.wait_for(10s), std::future_status::ready) << log();
  engine::RunResult r = done.get();
  ASSERT_EQ(r.final.endpoints.size(), 1u);
  const stats::Entry& e = r.final.endpoints[0].total;
  EXPECT_EQ(e.num_requests, 10u);
  EXPECT_EQ(e.num_failures, 2u);
  EXPECT_EQ(e.content_bytes, 500u);
  EXPECT_EQ(e.latency.count(), 10u);
  EXPECT_NEAR(static_cast<double>(e.latency.percentile(0.3)), 12'000, 12);
  EXPECT_NEAR(static_cast<double>(e.latency.percentile(0.5)), 150'000, 150);
  ASSERT_EQ(r.final.errors.size(), 1u);
  EXPECT_EQ(r.final.errors[0].second.occurrences, 2u);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("approximate (GET /ping)"), std::string::npos) << r.notes[0];
}

TEST_F(MasterTest, GarbageIsLoggedAndDroppedAndTheWorkerStillServed) {
  cluster::Master master(*suite_, opts_);
  FakeWorker w(ctx_, master.port(), "noisy");
  w.send_raw({"\xc1\xc1 not msgpack"});
  w.send_raw({"two", "frames"});
  w.send_raw({std::string("\x93\xa5stats\x01", 8)});  // truncated
  w.send("heartbeat", Map{{"state", "ready"}});       // before client_ready: ignored
  w.send("client_ready", cluster::worker_version("test", ""));
  ASSERT_TRUE(w.next("ack"));
  w.send("no_such_type", 1);
  w.send("stats", Map{{"stats", 5}, {cluster::kDeltaKey, cluster::Bin{"\x01\x02"}}});
  w.send("heartbeat", Map{{"state", "ready"}, {"current_cpu_usage", 3.0}});
  // The heartbeat, sent last, shows when everything before it was handled.
  auto until = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < until &&
         (master.workers().empty() || master.workers()[0].cpu_percent != 3.0)) {
    std::this_thread::sleep_for(20ms);
  }
  const std::string text = log();
  EXPECT_NE(text.find("a malformed message"), std::string::npos) << text;
  EXPECT_NE(text.find("a multipart message"), std::string::npos) << text;
  EXPECT_NE(text.find("unknown type 'no_such_type'"), std::string::npos) << text;
  EXPECT_EQ(text.find("do not decode"), std::string::npos) << text;  // no run: not even read
  std::vector<cluster::WorkerView> ws = master.workers();
  ASSERT_EQ(ws.size(), 1u);
  EXPECT_EQ(ws[0].id, "noisy");
  EXPECT_TRUE(ws[0].arrload);
  EXPECT_DOUBLE_EQ(ws[0].cpu_percent, 3.0);
}

TEST_F(MasterTest, AWorkerWithAnotherScenarioIsRefusedWithTheReason) {
  opts_.scenario_hash = "0123456789abcdef";
  cluster::Master master(*suite_, opts_);
  FakeWorker w(ctx_, master.port(), "other");
  w.send("client_ready", cluster::worker_version("test", "fedcba9876543210"));
  std::optional<Message> refused = w.next("arrload_refused");
  ASSERT_TRUE(refused);
  const std::string reason = *refused->data.find("reason")->as_str();
  EXPECT_NE(reason.find("scenario differs"), std::string::npos) << reason;
  EXPECT_NE(reason.find("0123456789abcdef"), std::string::npos) << reason;
  EXPECT_TRUE(master.workers().empty());
  EXPECT_NE(log().find("Refused worker other"), std::string::npos) << log();
  // The same worker with the master's scenario is taken.
  w.send("client_ready", cluster::worker_version("test", "0123456789abcdef"));
  EXPECT_TRUE(w.next("ack"));
}

TEST_F(MasterTest, AMissingWorkerIsMarkedAndLosingEveryWorkerEndsTheRun) {
  opts_.heartbeat_check = 100ms;
  cluster::Master master(*suite_, opts_);
  FakeWorker w(ctx_, master.port(), "silent");
  w.send("client_ready", "");
  ASSERT_TRUE(w.next("ack"));
  std::future<engine::RunResult> done = start(master, 2, 60'000ms);
  ASSERT_TRUE(w.next("spawn"));
  // No heartbeat ever: missing after 4 checks, and with it the last worker is gone.
  ASSERT_EQ(done.wait_for(10s), std::future_status::ready) << log();
  engine::RunResult r = done.get();
  EXPECT_EQ(r.reason, engine::StopReason::kFailed);
  EXPECT_NE(r.error.find("every worker is gone"), std::string::npos) << r.error;
  EXPECT_NE(log().find("Worker silent missed 4 heartbeats: marked missing"), std::string::npos)
      << log();
}

TEST_F(MasterTest, ExpectWorkersMaxWaitEndsARunThatNeverStarted) {
  opts_.expect_workers = 3;
  opts_.wait_for_workers = true;
  opts_.expect_workers_max_wait = 500ms;
  cluster::Master master(*suite_, opts_);
  std::future<engine::RunResult> done = start(master, 2, 60'000ms);
  ASSERT_EQ(done.wait_for(10s), std::future_status::ready);
  engine::RunResult r = done.get();
  EXPECT_EQ(r.reason, engine::StopReason::kFailed);
  EXPECT_NE(r.error.find("only 0 of the 3 expected workers connected within 0.5 s"),
            std::string::npos)
      << r.error;
}

}  // namespace
}  // namespace arrload::testing
