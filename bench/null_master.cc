// The least a ZeroMQ master can cost (bench/master_cost.sh, docs/BENCHMARKS.md "Master cost"): a
// ROUTER that takes Locust workers (client_ready -> ack + one spawn of 1 SimUser) and then only
// receives. --mode says what it does with each message:
//   discard  nothing (the transport alone: libzmq's I/O thread and the receive calls)
//   decode   cluster::decode of every message (the dynamic Value tree arrload's codec builds)
//   merge    decode, then for `stats` with arrload_delta: stats::decode_delta + Delta::merge
// Every second it prints "workers W spawned S messages M bytes B requests R" (requests: the sum of
// stats_total.num_requests, in decode and merge modes). --zmtp-heartbeat 1 turns on ZeroMQ's own
// pings (ZMQ_HEARTBEAT_IVL 2 s, ZMQ_HEARTBEAT_TIMEOUT 10 s) as arrload's master does.
//
//   arrload_null_master --port 25557 --mode merge --duration 120
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <unordered_set>

#include <fmt/format.h>
#include <zmq.hpp>

#include "cluster/message.h"
#include "stats/codec.h"
#include "stats/delta.h"

namespace {

using arrload::cluster::Map;
using arrload::cluster::Message;
using arrload::cluster::Value;

volatile std::sig_atomic_t g_stop = 0;

// The type of a Locust message without decoding it: [fixarray(3), fixstr type, ...].
std::string_view peek_type(std::string_view payload) {
  if (payload.size() < 2 || static_cast<unsigned char>(payload[0]) != 0x93) return {};
  const auto h = static_cast<unsigned char>(payload[1]);
  if ((h & 0xe0) != 0xa0 || payload.size() < 2u + (h & 0x1f)) return {};
  return payload.substr(2, h & 0x1f);
}

struct Counters {
  std::uint64_t messages = 0, bytes = 0, requests = 0;
  std::unordered_set<std::string> workers;
};

void reply(zmq::socket_t& router, const std::string& id, const Message& m) {
  const std::string bytes = arrload::cluster::encode(m);
  router.send(zmq::buffer(id), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
  router.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
}

void on_message(zmq::socket_t& router, const std::string& id, std::string_view payload,
                const std::string& mode, Counters& c, arrload::stats::Delta& run) {
  ++c.messages;
  c.bytes += payload.size();
  const std::string_view type = peek_type(payload);
  if (type == "client_ready" && c.workers.insert(id).second) {
    const auto index = static_cast<std::int64_t>(c.workers.size() - 1);
    reply(router, id, Message{"ack", Map{{"index", index}}, id});
    reply(router, id,
          Message{"spawn",
                  Map{{"timestamp", 1.0},
                      {"user_classes_count", Map{{"SimUser", 1}}},
                      {"host", ""},
                      {"stop_timeout", Value()},
                      {"parsed_options", Map{}}},
                  id});
  }
  if (mode == "discard") return;
  std::string error;
  auto m = arrload::cluster::decode(payload, error);
  if (!m || m->type != "stats") return;
  if (const Value* total = m->data.find("stats_total")) {
    if (const Value* n = total->find("num_requests")) c.requests += n->as_int().value_or(0);
  }
  if (mode != "merge") return;
  const Value* ext = m->data.find("arrload_delta");
  if (!ext || !ext->as_bin()) return;
  auto d = arrload::stats::decode_delta(ext->as_bin()->bytes);
  if (d) run.merge(*d.value);
}

int serve(int port, const std::string& mode, double duration, bool zmtp_heartbeat) {
  zmq::context_t context;
  zmq::socket_t router(context, ZMQ_ROUTER);
  router.set(zmq::sockopt::linger, 0);
  if (zmtp_heartbeat) {
    // As src/cluster/master.cc sets them: ZMTP pings every 2 s, 10 s timeout.
    router.set(zmq::sockopt::heartbeat_ivl, 2000);
    router.set(zmq::sockopt::heartbeat_timeout, 10000);
  }
  router.bind(fmt::format("tcp://127.0.0.1:{}", port));
  Counters c;
  arrload::stats::Delta run;
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto next_print = start;
  while (!g_stop && Clock::now() - start < std::chrono::duration<double>(duration)) {
    zmq::pollitem_t item{router.handle(), 0, ZMQ_POLLIN, 0};
    try {
      zmq::poll(&item, 1, std::chrono::milliseconds(100));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
      continue;  // a signal: the loop condition decides
    }
    zmq::message_t id, payload;
    while (router.recv(id, zmq::recv_flags::dontwait)) {
      if (!id.more() || !router.recv(payload, zmq::recv_flags::dontwait)) continue;
      on_message(router, id.to_string(), payload.to_string_view(), mode, c, run);
    }
    if (Clock::now() >= next_print) {
      std::printf("workers %zu spawned %zu messages %llu bytes %llu requests %llu\n",
                  c.workers.size(), c.workers.size(), static_cast<unsigned long long>(c.messages),
                  static_cast<unsigned long long>(c.bytes),
                  static_cast<unsigned long long>(c.requests));
      std::fflush(stdout);
      next_print += std::chrono::seconds(1);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 5557;
  std::string mode = "discard";
  double duration = 60;
  bool zmtp_heartbeat = false;
  try {
    for (int i = 1; i + 1 < argc; i += 2) {
      const std::string a = argv[i], v = argv[i + 1];
      if (a == "--port") {
        port = std::stoi(v);
      } else if (a == "--mode") {
        mode = v;
      } else if (a == "--duration") {
        duration = std::stod(v);
      } else if (a == "--zmtp-heartbeat") {
        zmtp_heartbeat = v == "1";
      } else {
        throw std::runtime_error("unknown option " + a);
      }
    }
    if (mode != "discard" && mode != "decode" && mode != "merge") {
      throw std::runtime_error("--mode is discard, decode or merge");
    }
    std::signal(SIGTERM, [](int) { g_stop = 1; });
    std::signal(SIGINT, [](int) { g_stop = 1; });
    return serve(port, mode, duration, zmtp_heartbeat);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "null_master: %s\n", e.what());
    return 2;
  }
}
