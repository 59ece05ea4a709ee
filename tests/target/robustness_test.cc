// The target against awkward clients, over real sockets: invalid UTF-8 in a JSON body, a
// slowloris client trickling its header, a client that half-closes after its request.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "target/routes.h"
#include "target/server_fixture.h"

namespace arrload::target {
namespace {

using namespace testing_support;  // NOLINT(google-build-using-namespace)
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A blocking client socket to 127.0.0.1:PORT whose reads give up after 5 s.
class RawSocket {
 public:
  explicit RawSocket(unsigned short port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawSocket() { ::close(fd_); }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool connected() const { return connected_; }
  bool send(std::string_view bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
  // What one recv() gets ("" when closed or after 5 s).
  std::string read_some() {
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }
  // Everything until the server closes (or 5 s of silence); *CLOSED says whether it closed.
  std::string read_all(bool* closed = nullptr) {
    std::string out;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        if (closed != nullptr) *closed = n == 0 || errno == ECONNRESET;
        return out;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
  bool connected_ = false;
};

TEST_F(TargetServerTest, InvalidUtf8InJsonBodyIsRejectedLikeFastApi) {
  // Starlette decodes the body as UTF-8 first: FastAPI answers that failure with its generic 400.
  const std::string bodies[] = {
      "{\"query\":\"Add \xff\xfe show\"}",       // bytes that are never UTF-8
      "{\"query\":\"Add \xc3\"}",                // a truncated sequence
      "{\"query\":\"\xed\xa0\x80 surrogate\"}",  // an encoded surrogate
      "{\"query\":\"\xc0\xaf overlong\"}",       // an overlong '/'
  };
  for (const std::string& body : bodies) {
    http::Response r = call("POST", "/api/v1/requests/content", body);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.body, R"({"detail":"There was an error parsing the body"})");
  }
  // Valid UTF-8 that is not JSON is FastAPI's 422 json_invalid, at the offset of the error.
  http::Response r = call("POST", "/api/v1/requests/content", "{\"query\": \"caf\xc3\xa9\"");
  EXPECT_EQ(r.status, 422) << r.body;
  json::value v = json::parse(r.body);
  EXPECT_EQ(v.at("detail").at(0).at("type"), "json_invalid");
  EXPECT_EQ(v.at("detail").at(0).at("loc").at(1), 17);
  EXPECT_EQ(v.at("detail").at(0).at("input"), json::object());
  // And a valid non-ASCII query is fine; the server is still up.
  r = call("POST", "/api/v1/requests/content", "{\"query\":\"Add Am\xc3\xa9lie\"}");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(get_json("/ping").at("message"), "pong");
}

TEST(Utf8, Validation) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("Am\xc3\xa9lie \xe2\x82\xac \xf0\x9f\x8e\xac"));
  EXPECT_FALSE(is_valid_utf8("\x80"));
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xf5\x80\x80\x80"));
}

TEST_F(TargetServerTest, SlowlorisIsCutOffWithoutBlockingOthers) {
  Options o = test_options();
  o.header_timeout_seconds = 1;
  start_with(o);
  RawSocket slow(server_->port());
  ASSERT_TRUE(slow.connected());
  const auto start = Clock::now();
  std::thread trickler([&slow] {
    const std::string header = "GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: abcdefghijklmnop";
    for (char c : header) {  // one byte every 200 ms: never completes within the test
      if (!slow.send(std::string_view(&c, 1))) return;
      std::this_thread::sleep_for(milliseconds(200));
    }
  });
  // Meanwhile other clients are answered at once.
  std::this_thread::sleep_for(milliseconds(300));
  for (int i = 0; i < 5; ++i) {
    const auto t = Clock::now();
    EXPECT_EQ(get_json("/ping").at("message"), "pong");
    EXPECT_LT(Clock::now() - t, milliseconds(300));
  }
  bool closed = false;
  const std::string got = slow.read_all(&closed);
  const auto cut_after = Clock::now() - start;
  trickler.join();
  EXPECT_TRUE(closed);
  EXPECT_EQ(got, "");  // cut off without an answer
  EXPECT_GE(cut_after, milliseconds(1000));
  EXPECT_LT(cut_after, milliseconds(2500));
}

TEST_F(TargetServerTest, HeaderDeadlineDoesNotApplyToIdleKeepAlive) {
  Options o = test_options();
  o.header_timeout_seconds = 0.3;
  start_with(o);
  RawSocket client(server_->port());
  ASSERT_TRUE(client.connected());
  const std::string request = "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(client.send(request));
  EXPECT_TRUE(client.read_some().starts_with("HTTP/1.1 200"));
  std::this_thread::sleep_for(milliseconds(600));  // idle longer than the header deadline
  ASSERT_TRUE(client.send(request));
  EXPECT_TRUE(client.read_some().starts_with("HTTP/1.1 200"))
      << "the idle keep-alive connection was closed";
}

TEST_F(TargetServerTest, HalfClosedClientStillGetsItsResponse) {
  for (const std::string& request :
       {std::string("GET /api/v1/shows/2 HTTP/1.1\r\nHost: x\r\n\r\n"),
        std::string("POST /api/v1/requests/content HTTP/1.1\r\nHost: x\r\n"
                    "Content-Type: application/json\r\nContent-Length: 22\r\n\r\n"
                    "{\"query\":\"Add Dune\"}  ")}) {
    RawSocket client(server_->port());
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send(request));
    client.shutdown_write();
    bool closed = false;
    const std::string response = client.read_all(&closed);
    EXPECT_TRUE(response.starts_with("HTTP/1.1 20")) << response;
    EXPECT_NE(response.find("\r\n\r\n{"), std::string::npos) << response;
    EXPECT_TRUE(closed);
  }
}

}  // namespace
}  // namespace arrload::target
