// The Locust message codec: round trips, every message type of the protocol, bytes packed by
// Python's msgpack (as Locust packs them), and garbage that must be refused without a crash.
#include "cluster/message.h"

#include <random>
#include <string>

#include <gtest/gtest.h>

namespace arrload::cluster {
namespace {

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

Message round_trip(const Message& m) {
  std::string error;
  std::optional<Message> back = decode(encode(m), error);
  EXPECT_TRUE(back.has_value()) << error;
  return back.value_or(Message{});
}

Value stats_entry(const char* name, const char* method) {
  return Map{{"name", name},
             {"method", method},
             {"last_request_timestamp", 1733560001.5},
             {"start_time", 1733559998.0},
             {"num_requests", 3},
             {"num_none_requests", 0},
             {"num_failures", 1},
             {"total_response_time", 17.25},
             {"max_response_time", 9.5},
             {"min_response_time", Value()},
             {"total_content_length", 120},
             {"response_times", Map{{5, 2}, {150, 1}}},
             {"num_reqs_per_sec", Map{{1733560001, 3}}},
             {"num_fail_per_sec", Map{}}};
}

TEST(MessageTest, ScalarsRoundTrip) {
  const std::vector<Value> values = {
      Value(),
      Value(true),
      Value(false),
      Value(0),
      Value(127),
      Value(128),
      Value(-1),
      Value(-33),
      Value(-129),
      Value(-40000),
      Value(65536),
      Value(static_cast<long long>(INT64_MIN)),
      Value(static_cast<long long>(INT64_MAX)),
      Value(static_cast<unsigned long long>(UINT64_MAX)),
      Value(0.5),
      Value(-1e300),
      Value(""),
      Value(std::string(40, 'x')),
      Value(std::string(300, 'y')),
      Value(std::string(70000, 'z')),
      Value(Bin{std::string("\0\1\2", 3)}),
      Value(Array{}),
      Value(Array(20, Value(1))),
      Value(Map{}),
  };
  for (const Value& v : values) {
    std::string bytes, error;
    encode_value(v, bytes);
    std::optional<Value> back = decode_value(bytes, error);
    ASSERT_TRUE(back) << v.describe() << ": " << error;
    EXPECT_EQ(*back, v) << v.describe() << " came back as " << back->describe();
  }
  EXPECT_EQ(Value(5u), Value(5));  // small unsigned values are plain ints
  EXPECT_EQ(Value(static_cast<unsigned long long>(UINT64_MAX)).kind(), Value::Kind::kUint);
}

TEST(MessageTest, MapsKeepNonStringKeysAndOrder) {
  Value v = Map{{5, 2}, {150.0, 1}, {"k", Array{Value(), true}}, {Value(), "nil key"}};
  std::string bytes, error;
  encode_value(v, bytes);
  std::optional<Value> back = decode_value(bytes, error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, v);
  EXPECT_EQ(back->as_map()->at(1).first.kind(), Value::Kind::kFloat);
  ASSERT_NE(back->find("k"), nullptr);
  EXPECT_EQ(back->find("k")->as_array()->size(), 2u);
  EXPECT_EQ(back->find("missing"), nullptr);
}

TEST(MessageTest, EveryMessageTypeOfTheProtocolRoundTrips) {
  const std::string id = "host_0123456789abcdef0123456789abcdef";
  const std::vector<Message> messages = {
      {"client_ready", "0.1.0", id},
      {"ack", Map{{"index", 0}}, id},
      {"spawn",
       Map{{"timestamp", 1733560000.25},
           {"user_classes_count", Map{{"Pinger", 3}, {"Breaker", 1}}},
           {"host", "http://127.0.0.1:8088"},
           {"stop_timeout", Value()},
           {"parsed_options", Map{{"tags", Value()}, {"users", 4}, {"headless", true}}}},
       id},
      {"spawning", Value(), id},
      {"spawning_complete",
       Map{{"user_classes_count", Map{{"Pinger", 3}, {"Breaker", 1}}}, {"user_count", 4}}, id},
      {"heartbeat",
       Map{{"state", "running"}, {"current_cpu_usage", 12.5}, {"current_memory_usage", 31457280}},
       id},
      {"stats",
       Map{{"stats", Array{stats_entry("/ping", "GET")}},
           {"stats_total", stats_entry("Aggregated", "")},
           {"errors", Map{{"GET./x.HTTPError", Map{{"name", "/x"},
                                                   {"method", "GET"},
                                                   {"error", "HTTPError('500')"},
                                                   {"occurrences", 2}}}}},
           {"user_classes_count", Map{{"Pinger", 3}}},
           {"user_count", 3}},
       id},
      {"stop", Value(), id},
      {"client_stopped", Value(), id},
      {"quit", Value(), id},
      {"reconnect", Value(), id},
      {"exception", Map{{"msg", "boom"}, {"traceback", "line 1"}}, id},
      {"a_custom_type", Array{1, "two", 3.0}, id},
  };
  for (const Message& m : messages) EXPECT_EQ(round_trip(m), m) << m.type;
}

TEST(MessageTest, DecodesWhatPythonMsgpackPacks) {
  // msgpack.dumps(("ack", {"index": 0}, "host_abc")), as Locust 2.12.1's master sends it.
  std::string error;
  auto ack = decode(from_hex("93a361636b81a5696e64657800a8686f73745f616263"), error);
  ASSERT_TRUE(ack) << error;
  EXPECT_EQ(ack->type, "ack");
  EXPECT_EQ(ack->node_id, "host_abc");
  EXPECT_EQ(ack->data.find("index")->as_int(), 0);

  auto spawn = decode(
      from_hex("93a5737061776e85a974696d657374616d70cb41d9d501b0100000b2757365725f636c61737365735f"
               "636f756e7482a650696e67657203a7427265616b657201a4686f7374b5687474703a2f2f3132372e"
               "302e302e313a38303838ac73746f705f74696d656f7574c0ae7061727365645f6f7074696f6e7384"
               "a474616773c0a5757365727304aa737061776e5f72617465cb4010000000000000a8686561646c65"
               "7373c3a8686f73745f616263"),
      error);
  ASSERT_TRUE(spawn) << error;
  EXPECT_EQ(spawn->type, "spawn");
  EXPECT_DOUBLE_EQ(*spawn->data.find("timestamp")->as_number(), 1733560000.25);
  const Value* counts = spawn->data.find("user_classes_count");
  ASSERT_NE(counts, nullptr);
  EXPECT_EQ(counts->find("Pinger")->as_int(), 3);
  EXPECT_EQ(counts->find("Breaker")->as_int(), 1);
  EXPECT_TRUE(spawn->data.find("stop_timeout")->is_nil());
  EXPECT_EQ(*spawn->data.find("host")->as_str(), "http://127.0.0.1:8088");
  EXPECT_EQ(spawn->data.find("parsed_options")->find("headless")->as_bool(), true);

  // Float and integer map keys, a bin value.
  auto stats = decode(from_hex("93a5737461747383ae726573706f6e73655f74696d6573820502cb4062c00000"
                               "00000001b06e756d5f726571735f7065725f73656381ce675406c103a162c4"
                               "020001a8686f73745f616263"),
                      error);
  ASSERT_TRUE(stats) << error;
  const Map& rt = *stats->data.find("response_times")->as_map();
  ASSERT_EQ(rt.size(), 2u);
  EXPECT_EQ(rt[0].first, Value(5));
  EXPECT_EQ(rt[1].first, Value(150.0));
  EXPECT_EQ(stats->data.find("num_reqs_per_sec")->as_map()->at(0).first, Value(1733560001));
  EXPECT_EQ(stats->data.find("b")->as_bin()->bytes, std::string("\0\1", 2));
}

TEST(MessageTest, EveryTruncationIsAnError) {
  const std::string bytes = encode(Message{"stats",
                                           Map{{"stats", Array{stats_entry("/ping", "GET")}},
                                               {"stats_total", stats_entry("Aggregated", "")}},
                                           "host_abc"});
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    std::string error;
    EXPECT_FALSE(decode(std::string_view(bytes.data(), n), error)) << "prefix of " << n;
    EXPECT_FALSE(error.empty());
  }
  std::string error;
  EXPECT_FALSE(decode(bytes + "x", error));
  EXPECT_NE(error.find("extra bytes"), std::string::npos) << error;
}

// A master reads an arrload worker's report without building Locust's fields: they come out nil,
// everything else as usual, and a skipped value is still checked (a truncated one is an error).
TEST(MessageTest, SkippedDataKeysAreCheckedButNotBuilt) {
  const Message m{"stats",
                  Map{{"stats", Array{stats_entry("/ping", "GET")}},
                      {"user_count", 4},
                      {"stats_total", stats_entry("Aggregated", "")},
                      {"arrload_delta", Bin{"\x01\x02"}}},
                  "host_abc"};
  const std::string bytes = encode(m);
  static constexpr std::string_view kSkip[] = {"stats", "stats_total"};
  std::string error;
  std::optional<Message> lean = decode(bytes, error, kSkip);
  ASSERT_TRUE(lean) << error;
  EXPECT_TRUE(lean->data.find("stats")->is_nil());
  EXPECT_TRUE(lean->data.find("stats_total")->is_nil());
  EXPECT_EQ(*lean->data.find("user_count"), Value(4));
  EXPECT_EQ(*lean->data.find("arrload_delta"), Value(Bin{"\x01\x02"}));
  EXPECT_EQ(lean->node_id, "host_abc");
  // Only the data map's own keys are skipped, not deeper ones of the same name.
  const Message nested{"x", Map{{"outer", Map{{"stats", 1}}}}, "id"};
  std::optional<Message> kept = decode(encode(nested), error, kSkip);
  ASSERT_TRUE(kept) << error;
  EXPECT_EQ(kept->data, nested.data);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(decode(std::string_view(bytes.data(), n), error, kSkip)) << "prefix of " << n;
  }
}

TEST(MessageTest, LiesAndGarbageAreErrorsNotCrashes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "truncated"},
      {"\xc1", "unsupported"},                          // reserved byte
      {"\xd4\x01\x02", "unsupported"},                  // fixext 1
      {"\xc7\x01\x05\x00", "unsupported"},              // ext 8
      {"\xdd\xff\xff\xff\xff", "array of 4294967295"},  // a 4 G element array in 5 bytes
      {"\xdf\xff\xff\xff\xff", "map of 4294967295"},
      {"\xdb\xff\xff\xff\xff", "string of 4294967295"},
      {"\xc6\xff\xff\xff\xff", "string of 4294967295"},
      {"\xcf\x01", "truncated integer"},
      {"\xcb\x01\x02", "truncated float"},
      {"\x92\xa1x", "truncated"},
      {"\x93\x01\xc0\xa1x", "message type is int"},
      {"\x92\xa1x\xc0", "not a [type, data, node_id]"},
      {"\xa5spawn", "not a [type, data, node_id]"},
      {"\x93\xa1x\xc0\x05", "node id is int"},
  };
  for (const auto& [bytes, expected] : cases) {
    std::string error;
    EXPECT_FALSE(decode(bytes, error)) << expected;
    EXPECT_NE(error.find(expected), std::string::npos) << "got: " << error;
  }
  // Deep nesting is refused, not recursed into.
  std::string deep(100'000, '\x91');
  deep += '\xc0';
  std::string error;
  EXPECT_FALSE(decode_value(deep, error));
  EXPECT_NE(error.find("nested deeper"), std::string::npos) << error;
}

TEST(MessageTest, RandomBytesNeverCrash) {
  std::mt19937 rng(42);
  const std::string valid = encode(Message{
      "spawn", Map{{"timestamp", 1.5}, {"user_classes_count", Map{{"A", 1}}}, {"host", Value()}},
      "id"});
  int decoded = 0;
  for (int i = 0; i < 20'000; ++i) {
    std::string bytes;
    if (i % 2 == 0) {
      bytes.resize(rng() % 64);
      for (char& c : bytes) c = static_cast<char>(rng());
    } else {
      bytes = valid;  // a valid message with a few bytes flipped
      for (int k = 0; k < 3; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    }
    std::string error;
    if (decode(bytes, error)) {
      ++decoded;
    } else {
      EXPECT_FALSE(error.empty());
    }
  }
  EXPECT_GT(decoded, 0);  // some flips leave a valid message: those decode
}

}  // namespace
}  // namespace arrload::cluster
