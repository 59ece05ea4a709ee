// The worker against a scripted master (a ZeroMQ ROUTER in this test): the message sequence it
// sends, and what it does with garbage, unknown types, bad and stale spawns. The real Locust
// master is in tests/integration/locust_master_test.cc.
#include <regex>
#include <zmq.hpp>

#include <gtest/gtest.h>

#include "cluster/message.h"
#include "integration/harness.h"

namespace arrload::testing {
namespace {

using cluster::Map;
using cluster::Message;
using cluster::Value;

class FakeMaster {
 public:
  FakeMaster() : socket_(context_, zmq::socket_type::router) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.bind("tcp://127.0.0.1:*");
    const std::string ep = socket_.get(zmq::sockopt::last_endpoint);
    port_ = ep.substr(ep.rfind(':') + 1);
  }
  const std::string& port() const { return port_; }
  const std::string& worker_id() const { return worker_id_; }

  // The next message of type TYPE within LIMIT (others are kept in seen()); nullopt on timeout.
  std::optional<Message> next(const std::string& type,
                              std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 1, std::chrono::milliseconds(50));
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      zmq::message_t id, payload;
      EXPECT_TRUE(socket_.recv(id));
      EXPECT_TRUE(id.more());
      EXPECT_TRUE(socket_.recv(payload));
      worker_id_ = id.to_string();
      std::string error;
      std::optional<Message> m = cluster::decode(payload.to_string_view(), error);
      EXPECT_TRUE(m) << error;
      if (!m) continue;
      EXPECT_EQ(m->node_id, worker_id_);  // the DEALER's identity is its node id
      seen_.push_back(m->type);
      if (m->type == type) return m;
    }
    return std::nullopt;
  }
  void send_raw(const std::vector<std::string>& frames) {
    socket_.send(zmq::buffer(worker_id_), zmq::send_flags::sndmore);
    for (std::size_t i = 0; i < frames.size(); ++i) {
      socket_.send(zmq::buffer(frames[i]),
                   i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
  }
  void send(const std::string& type, Value data = {}) {
    send_raw({cluster::encode(Message{type, std::move(data), worker_id_})});
  }
  const std::vector<std::string>& seen() const { return seen_; }

 private:
  zmq::context_t context_;
  zmq::socket_t socket_;
  std::string port_;
  std::string worker_id_;
  std::vector<std::string> seen_;
};

Value spawn(double timestamp, Map counts, const std::string& host) {
  return Map{{"timestamp", timestamp},
             {"user_classes_count", std::move(counts)},
             {"host", host},
             {"stop_timeout", Value()},
             {"parsed_options", Map{{"tags", Value()}, {"num_users", 3}, {"anything", "x"}}}};
}

// Requests in a stats message's stats_total.
std::int64_t total_requests(const Message& stats) {
  return stats.data.find("stats_total")->find("num_requests")->as_int().value_or(-1);
}

class WorkerTest : public TargetTest {};

TEST_F(WorkerTest, SpeaksLocustsSequenceAndShrugsOffGarbage) {
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  FakeMaster master;
  Arrload worker(
      {"run", "-f", scenario, "--worker", "--master-port", master.port(), "--threads", "1"});
  std::optional<Message> ready = master.next("client_ready");
  ASSERT_TRUE(ready) << worker.err_so_far();
  EXPECT_TRUE(std::regex_match(master.worker_id(), std::regex(".+_[0-9a-f]{32}")))
      << master.worker_id();
  ASSERT_NE(ready->data.as_str(), nullptr);
  EXPECT_FALSE(ready->data.as_str()->empty());  // Locust refuses an empty version

  // Garbage of every kind first: none of it may end the worker.
  master.send_raw({"\xc1\xc1"});
  master.send_raw({std::string("\x93\xa5spawn\x81", 8)});  // truncated
  master.send_raw({"a", "b", "c"});                        // multipart
  master.send("weird", Map{{"x", 1}});
  master.send("spawn", Value());  // no data
  master.send("ack", Map{{"index", 7}});
  master.send("spawn", spawn(10, Map{{"Pinger", 2}, {"Unknown", 1}, {"Breaker", "x"}}, host_));
  master.send("spawn", spawn(5, Map{{"Pinger", 9}}, host_));  // older: dropped

  std::optional<Message> done = master.next("spawning_complete");
  ASSERT_TRUE(done) << worker.err_so_far();
  EXPECT_EQ(done->data.find("user_count")->as_int(), 2);
  EXPECT_EQ(done->data.find("user_classes_count")->find("Pinger")->as_int(), 2);
  EXPECT_EQ(done->data.find("user_classes_count")->find("Breaker")->as_int(), 0);
  std::optional<Message> beat = master.next("heartbeat");
  ASSERT_TRUE(beat);
  EXPECT_EQ(*beat->data.find("state")->as_str(), "running");
  EXPECT_TRUE(beat->data.find("current_cpu_usage")->as_number());
  EXPECT_GT(beat->data.find("current_memory_usage")->as_int().value_or(0), 1'000'000);

  std::int64_t requests = 0;
  std::optional<Message> stats;
  while (requests == 0) {
    stats = master.next("stats", std::chrono::seconds(5));
    ASSERT_TRUE(stats) << worker.err_so_far();
    requests += total_requests(*stats);
  }
  EXPECT_EQ(stats->data.find("user_count")->as_int(), 2);
  const cluster::Array& entries = *stats->data.find("stats")->as_array();
  ASSERT_EQ(entries.size(), 1u);  // Pinger only
  EXPECT_EQ(*entries[0].find("name")->as_str(), "/ping");

  // Retarget, then stop: the last statistics come before client_stopped, then client_ready.
  master.send("spawn", spawn(11, Map{{"Pinger", 1}, {"Breaker", 1}}, host_));
  done = master.next("spawning_complete");
  ASSERT_TRUE(done) << worker.err_so_far();
  EXPECT_EQ(done->data.find("user_classes_count")->find("Breaker")->as_int(), 1);
  master.send("stop");
  ASSERT_TRUE(master.next("client_stopped")) << worker.err_so_far();
  const std::vector<std::string>& seen = master.seen();
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen[seen.size() - 2], "stats");
  ASSERT_TRUE(master.next("client_ready"));
  beat = master.next("heartbeat");
  ASSERT_TRUE(beat);
  EXPECT_EQ(*beat->data.find("state")->as_str(), "ready");

  // Quit: a last stats message and quit, then the process exits 0.
  master.send("quit");
  stats = master.next("stats");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->data.find("user_count")->as_int(), 0);
  EXPECT_TRUE(master.next("quit"));
  ProcessResult r = worker.wait(std::chrono::milliseconds(0), SIGTERM, std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* logged :
       {"Dropped a malformed message from the master (2 bytes)", "truncated",
        "Dropped a multipart message", "Unknown message type 'weird'",
        "Dropped a spawn message without timestamp", "worker index 7",
        "users of class 'Unknown', which the scenario does not have",
        "Ignored a bad user count in a spawn message: str 'Breaker' = str 'x'",
        "Dropped a spawn message not newer than the previous one", "Spawning 2 users (Pinger: 2",
        "Users stopped; ready for the next spawn", "Got quit from the master"}) {
    EXPECT_NE(r.err.find(logged), std::string::npos) << logged << "\n" << r.err;
  }
}

TEST_F(WorkerTest, SigtermEndsTheRunReportsAndQuits) {
  const std::string scenario = dir_.write("mixed.yaml", kPingerAndBreaker);
  FakeMaster master;
  Arrload worker(
      {"run", "-f", scenario, "--worker", "--master-port", master.port(), "--threads", "1"});
  ASSERT_TRUE(master.next("client_ready")) << worker.err_so_far();
  master.send("ack", Map{{"index", 0}});
  master.send("spawn", spawn(1, Map{{"Pinger", 2}, {"Breaker", 1}}, host_));
  ASSERT_TRUE(master.next("spawning_complete")) << worker.err_so_far();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  worker.signal(SIGTERM);
  std::optional<Message> stats = master.next("stats");
  ASSERT_TRUE(stats);
  EXPECT_TRUE(master.next("quit"));
  ProcessResult r = worker.wait(std::chrono::milliseconds(0), SIGTERM, std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("Reported to the master in total"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace arrload::testing
