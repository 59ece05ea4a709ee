// Reference HTTP/1.1 server for bench/accuracy.sh: answers every request with a 2-byte body after
// a fixed delay and measures, per request, the time the request spent on the server's side, so a
// load tool's reported latency minus this time is the latency the tool itself added.
//
// Single thread, epoll, one timerfd (all requests wait the same delay, so their deadlines are in
// arrival order and one FIFO queue suffices). Two windows per request, nanoseconds:
//   wire:  the kernel's receive timestamp of the request's last segment (SO_TIMESTAMPNS,
//          CLOCK_REALTIME) to the return of the send() that finished the response. Includes the
//          server's wake-up and any queueing behind other requests.
//   recv:  the return of the recv() that completed the request to the same send(). Excludes them.
// Control requests (not measured, answered at once): GET /__reset clears the samples,
// GET /__stats returns {"n":..,"wire":{"p50_us":..},"recv":{...}} over the samples since then.
//
// Bench-only code, not part of arrload: build with
//   g++ -O2 -std=c++20 -o ref_server bench/ref_server.cc
// Usage: ref_server PORT DELAY_US [MAX_SECONDS]      (binds 127.0.0.1 only)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view kResponse =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";

std::int64_t now_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

struct Connection {
  std::string in;                // bytes received, not yet parsed
  std::string out;               // response bytes the kernel did not take yet
  std::uint64_t generation = 0;  // changes when the fd is closed, so queued answers are dropped
  bool open = false;
  std::vector<std::int64_t> unsent_wire, unsent_recv;  // start times of answers still in `out`
};

// A request waiting for its delay to pass.
struct Pending {
  int fd;
  std::uint64_t generation;
  std::int64_t due_mono;   // CLOCK_MONOTONIC, ns
  std::int64_t wire_real;  // CLOCK_REALTIME, ns (kernel receive timestamp)
  std::int64_t recv_real;  // CLOCK_REALTIME, ns
};

struct Server {
  int epoll_fd = -1;
  int timer_fd = -1;
  std::int64_t delay_ns = 0;
  std::vector<Connection> conns;
  std::deque<Pending> queue;
  std::vector<std::int64_t> wire_ns, recv_ns;

  Connection& conn(int fd) {
    if (static_cast<std::size_t>(fd) >= conns.size()) conns.resize(fd + 1);
    return conns[fd];
  }

  void close_conn(int fd) {
    Connection& c = conn(fd);
    c.open = false;
    ++c.generation;
    c.in.clear();
    c.out.clear();
    c.unsent_wire.clear();
    c.unsent_recv.clear();
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
  }

  void arm_timer() {
    itimerspec its{};
    if (!queue.empty()) {
      const std::int64_t due = queue.front().due_mono;
      its.it_value.tv_sec = due / 1'000'000'000;
      its.it_value.tv_nsec = due % 1'000'000'000;
    }
    timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &its, nullptr);
  }

  // Appends BYTES to the connection's output and writes as much as the kernel takes; the samples
  // are taken when the last byte of an answer was handed over.
  void send_answer(int fd, std::string_view bytes, std::int64_t wire, std::int64_t recv,
                   bool measure) {
    Connection& c = conn(fd);
    c.out.append(bytes);
    c.unsent_wire.push_back(measure ? wire : -1);
    c.unsent_recv.push_back(recv);
    flush(fd);
  }

  void flush(int fd) {
    Connection& c = conn(fd);
    while (!c.out.empty()) {
      const ssize_t n = send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN) break;
        close_conn(fd);
        return;
      }
      c.out.erase(0, static_cast<std::size_t>(n));
    }
    if (!c.out.empty()) {
      epoll_event ev{EPOLLIN | EPOLLOUT, {.fd = fd}};
      epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fd, &ev);
      return;
    }
    const std::int64_t done = now_ns(CLOCK_REALTIME);
    for (std::size_t i = 0; i < c.unsent_wire.size(); ++i) {
      if (c.unsent_wire[i] < 0) continue;
      wire_ns.push_back(done - c.unsent_wire[i]);
      recv_ns.push_back(done - c.unsent_recv[i]);
    }
    c.unsent_wire.clear();
    c.unsent_recv.clear();
    epoll_event ev{EPOLLIN, {.fd = fd}};
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fd, &ev);
  }

  std::string stats_json() {
    auto block = [](std::vector<std::int64_t> v) {
      std::sort(v.begin(), v.end());
      auto pct = [&](double q) {
        if (v.empty()) return 0.0;
        std::size_t k = static_cast<std::size_t>(q * static_cast<double>(v.size()) + 0.999999);
        k = std::clamp<std::size_t>(k, 1, v.size());
        return static_cast<double>(v[k - 1]) / 1000.0;
      };
      double sum = 0;
      for (std::int64_t x : v) sum += static_cast<double>(x);
      char b[256];
      std::snprintf(b, sizeof b,
                    "{\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,"
                    "\"max_us\":%.1f,\"mean_us\":%.1f}",
                    pct(0.5), pct(0.9), pct(0.99), pct(0.999), pct(1.0),
                    v.empty() ? 0.0 : sum / static_cast<double>(v.size()) / 1000.0);
      return std::string(b);
    };
    return "{\"n\":" + std::to_string(wire_ns.size()) +
           ",\"delay_us\":" + std::to_string(delay_ns / 1000) + ",\"wire\":" + block(wire_ns) +
           ",\"recv\":" + block(recv_ns) + "}\n";
  }

  void control(int fd, std::string_view target) {
    std::string body = "ok\n";
    if (target == "/__stats") body = stats_json();
    if (target == "/__reset") {
      wire_ns.clear();
      recv_ns.clear();
    }
    const std::string head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n";
    send_answer(fd, head + body, 0, 0, false);
  }

  // Parses the complete requests in the connection's input (GET/HEAD without body; a
  // Content-Length body is skipped) and answers or queues each.
  void on_input(int fd, std::int64_t wire, std::int64_t recv) {
    for (;;) {
      Connection& c = conn(fd);
      const std::size_t end = c.in.find("\r\n\r\n");
      if (end == std::string::npos) return;
      std::size_t total = end + 4;
      const std::string_view head(c.in.data(), end);
      const std::size_t cl = head.find("\r\nContent-Length:");
      if (cl != std::string_view::npos) total += std::strtoull(head.data() + cl + 17, nullptr, 10);
      if (c.in.size() < total) return;
      const std::size_t sp1 = head.find(' ');
      const std::size_t sp2 = head.find(' ', sp1 + 1);
      const std::string_view target = head.substr(sp1 + 1, sp2 - sp1 - 1);
      const bool is_control = target.starts_with("/__");
      const std::string t(target);
      c.in.erase(0, total);
      if (is_control) {
        control(fd, t);
      } else if (delay_ns == 0) {
        send_answer(fd, kResponse, wire, recv, true);
      } else {
        queue.push_back({fd, c.generation, now_ns(CLOCK_MONOTONIC) + delay_ns, wire, recv});
        if (queue.size() == 1) arm_timer();
      }
      if (!conn(fd).open) return;
    }
  }

  void on_readable(int fd) {
    char buf[16384];
    char control_buf[CMSG_SPACE(sizeof(timespec))];
    for (;;) {
      iovec iov{buf, sizeof buf};
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control_buf;
      msg.msg_controllen = sizeof control_buf;
      const ssize_t n = recvmsg(fd, &msg, 0);
      if (n == 0 || (n < 0 && errno != EAGAIN)) {
        close_conn(fd);
        return;
      }
      if (n < 0) return;
      const std::int64_t recv = now_ns(CLOCK_REALTIME);
      std::int64_t wire = recv;
      for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm != nullptr; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
          timespec ts{};
          std::memcpy(&ts, CMSG_DATA(cm), sizeof ts);
          wire = std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
        }
      }
      conn(fd).in.append(buf, static_cast<std::size_t>(n));
      on_input(fd, wire, recv);
      if (!conn(fd).open) return;
    }
  }

  void on_timer() {
    std::uint64_t expirations;
    (void)!read(timer_fd, &expirations, sizeof expirations);
    const std::int64_t now = now_ns(CLOCK_MONOTONIC);
    while (!queue.empty() && queue.front().due_mono <= now) {
      const Pending p = queue.front();
      queue.pop_front();
      Connection& c = conn(p.fd);
      if (c.open && c.generation == p.generation) {
        send_answer(p.fd, kResponse, p.wire_real, p.recv_real, true);
      }
    }
    arm_timer();
  }
};

int listen_on(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 4096) != 0) {
    std::perror("ref_server: bind/listen");
    std::exit(1);
  }
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: ref_server PORT DELAY_US [MAX_SECONDS]\n");
    return 2;
  }
  // Timers fire up to the thread's timer slack late (50 us by default); the delay is part of
  // the measured window either way, but a tight delay keeps the server time narrow.
  prctl(PR_SET_TIMERSLACK, 1UL);
  Server s;
  s.delay_ns = std::atoll(argv[2]) * 1000;
  const std::int64_t stop_at =
      argc > 3 ? now_ns(CLOCK_MONOTONIC) + std::atoll(argv[3]) * 1'000'000'000LL : INT64_MAX;
  const int listener = listen_on(std::atoi(argv[1]));
  s.epoll_fd = epoll_create1(0);
  s.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  epoll_event ev{EPOLLIN, {.fd = listener}};
  epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, listener, &ev);
  ev = {EPOLLIN, {.fd = s.timer_fd}};
  epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, s.timer_fd, &ev);
  std::fprintf(stderr, "ref_server: 127.0.0.1:%s, delay %s us\n", argv[1], argv[2]);

  epoll_event events[256];
  while (now_ns(CLOCK_MONOTONIC) < stop_at) {
    const int n = epoll_wait(s.epoll_fd, events, 256, 1000);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listener) {
        for (;;) {
          const int c = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK);
          if (c < 0) break;
          const int one = 1;
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          setsockopt(c, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
          Connection& conn = s.conn(c);
          conn.open = true;
          epoll_event cev{EPOLLIN, {.fd = c}};
          epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, c, &cev);
        }
      } else if (fd == s.timer_fd) {
        s.on_timer();
      } else if (s.conn(fd).open) {
        if (events[i].events & EPOLLOUT) s.flush(fd);
        if (s.conn(fd).open && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
          s.on_readable(fd);
        }
      }
    }
  }
  return 0;
}
