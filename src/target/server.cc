#include "target/server.h"

#include <csignal>
#include <cstdio>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/value.hpp>

#include "net/listener.h"
#include "target/audit_store.h"
#include "target/connection.h"
#include "target/database.h"
#include "target/db_worker.h"
#include "target/downloads.h"
#include "target/library.h"
#include "target/log_buffer.h"
#include "target/routes.h"
#include "target/seed_data.h"
#include "target/ws_hub.h"

namespace arrload::target {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using WorkGuard = asio::executor_work_guard<asio::io_context::executor_type>;
using Clock = std::chrono::steady_clock;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

}  // namespace

// Threading: one io_context per thread, each owning the connections handed to it (the wrk model,
// as in the load generator). A connection lives on one thread, so no strand or lock guards its
// state, and nothing but the counters, the log, the audits and the database queue is shared.
// The acceptor runs on the first io_context and deals connections round-robin. The database has
// its own thread (db_worker.h). WebSocket clients join a Hub (ws_hub.h), which posts each
// message to each client's own io_context; the download ticker runs on the first io_context.
struct Server::Impl {
  explicit Impl(Options o)
      : options(std::move(o)),
        library(options.seed),
        audits(options.seed),
        faults(options.faults),
        downloads(library, options.seed, options.download_seconds, Clock::now(),
                  std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count()),
        state{library, audits, logs, counters, faults, events, downloads, options.admin},
        router(make_router(state)),
        context{router,
                counters,
                nullptr,
                logs,
                faults,
                options.latency_scale,
                options.quiet,
                events,
                log_stream,
                options.header_timeout_seconds,
                options.ws_ping_seconds} {
    logs.set_sink(&log_stream);
  }

  void open_database();
  void open_acceptor();

  void publish_downloads(const std::vector<DownloadEvent>& events);

  Options options;
  // The hubs first: they outlive everything that publishes or is a client.
  Hub events;
  LogStreamHub log_stream;
  Library library;
  AuditStore audits;
  LogBuffer logs;
  Counters counters;
  Faults faults;
  DownloadQueue downloads;
  TargetState state;
  Router router;
  ConnectionContext context;
  std::unique_ptr<Database> database;  // from start()
  std::unique_ptr<DbWorker> db_worker;

  std::mutex lifecycle;  // start() and stop()
  bool started = false;
  bool stopped = false;
  unsigned short port = 0;
  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::vector<WorkGuard> guards;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
};

namespace {

asio::awaitable<void> accept_loop(Server::Impl* srv) {
  std::vector<asio::io_context*> ios;
  for (auto& io : srv->ios) ios.push_back(io.get());
  net::OnAcceptError report;
  if (!srv->options.quiet) {
    report = [](const boost::system::error_code& ec) {
      fmt::print(stderr, "arrload target: accept: {}\n", ec.message());
    };
  }
  ConnectionContext* context = &srv->context;
  return net::accept_loop(
      &*srv->acceptor, std::move(ios),
      [context](tcp::socket socket) { return serve_connection(std::move(socket), context); },
      std::move(report));
}

// Advances the download queue when its next change is due and broadcasts the changes.
asio::awaitable<void> download_ticker(Server::Impl* srv) {
  asio::steady_timer timer(*srv->ios.front());
  for (;;) {
    timer.expires_at(srv->downloads.next_change());
    auto [ec] = co_await timer.async_wait(kNoThrow);
    if (ec) co_return;
    srv->publish_downloads(srv->downloads.advance(Clock::now()));
  }
}

tcp::endpoint resolve_bind(asio::io_context& io, const Options& o) {
  boost::system::error_code ec;
  tcp::resolver resolver(io);
  auto results = resolver.resolve(o.bind, std::to_string(o.port), tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    throw std::runtime_error(
        fmt::format("cannot listen on '{}': not an address of this machine ({})", o.bind,
                    ec ? ec.message() : "no address"));
  }
  return results.begin()->endpoint();
}

}  // namespace

void Server::Impl::publish_downloads(const std::vector<DownloadEvent>& changes) {
  for (const DownloadEvent& e : changes) {
    if (events.has_clients()) {
      boost::json::object data{{"nzo_id", e.nzo_id}, {"name", e.name}, {"category", e.category}};
      if (e.type == "download_started") {
        data["size_mb"] = e.mb;
      } else {
        data["status"] = e.type == "download_failed" ? "Failed" : "Completed";
        data["bytes"] = static_cast<std::int64_t>(e.mb) * 1024 * 1024;
        data["completed"] = e.completed;
        if (!e.fail_message.empty()) data["fail_message"] = e.fail_message;
      }
      events.publish(make_event(e.type, e.nzo_id, std::move(data), "sabnzbd"));
    }
    if (e.type == "download_started") continue;
    const bool failed = e.type == "download_failed";
    ActivityEntry a;
    a.service = "sabnzbd";
    a.activity_type = e.type;
    a.severity = failed ? "error" : "info";
    a.message = failed ? fmt::format("Download failed: {} ({})", e.name, e.fail_message)
                       : fmt::format("Download completed: {}", e.name);
    a.correlation_id = e.nzo_id;
    a.metadata = to_json(boost::json::object{{"nzo_id", e.nzo_id}, {"category", e.category}});
    a.timestamp = iso_now();
    a.created_at = a.timestamp;
    db_worker->post([a = std::move(a)](Database& db) {
      run_db_job(
          [&a](Database& d) {
            d.add_activity(a);
            return Response{};
          },
          db);
    });
  }
}

void Server::Impl::open_database() {
  try {
    database = std::make_unique<Database>(options.db_path, options.seed);
    seed_activity(*database, library, options.seed);
  } catch (const sqlite::DbError& e) {
    database.reset();
    throw std::runtime_error(fmt::format("database: {}", e.what()));
  }
  seed_audit(audits, iso_now());
  db_worker = std::make_unique<DbWorker>(*database, options.quiet);
  context.db = db_worker.get();
}

void Server::Impl::open_acceptor() {
  const tcp::endpoint endpoint = resolve_bind(*ios.front(), options);
  acceptor.emplace(*ios.front());
  const boost::system::error_code ec = net::listen(*acceptor, endpoint);
  if (ec) {
    acceptor.reset();
    throw std::runtime_error(
        fmt::format("cannot listen on {}:{}: {}", options.bind, options.port, ec.message()));
  }
  port = acceptor->local_endpoint().port();
}

Server::Server(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() { stop(); }

void Server::start() {
  Impl& s = *impl_;
  std::lock_guard lock(s.lifecycle);
  if (s.started) throw std::logic_error("target::Server::start() called twice");
  const int threads = std::max(1, s.options.threads);
  for (int i = 0; i < threads; ++i) s.ios.push_back(std::make_unique<asio::io_context>(1));
  // The admin endpoint's checks, for the knobs given at start-up.
  FaultConfig checked;
  if (auto error = update_fault_config(fault_config_json(s.options.faults), &checked)) {
    throw std::runtime_error(fmt::format("fault injection: {}", *error));
  }
  s.open_database();  // both throw before any thread exists
  s.open_acceptor();
  s.started = true;
  s.faults.set(s.faults.config(), /*restart_stalls=*/true, /*restart_warmup=*/true);
  s.db_worker->start();
  asio::co_spawn(*s.ios.front(), accept_loop(&s), asio::detached);
  if (s.options.download_seconds > 0) {
    asio::co_spawn(*s.ios.front(), download_ticker(&s), asio::detached);
  }
  for (auto& io : s.ios) {
    s.guards.push_back(asio::make_work_guard(*io));
    s.threads.emplace_back([&io = *io] { io.run(); });
  }
}

unsigned short Server::port() const { return impl_->port; }

void Server::stop() {
  Impl& s = *impl_;
  std::lock_guard lock(s.lifecycle);
  if (!s.started || s.stopped) return;
  s.stopped = true;
  // WebSocket clients get a close frame and a moment to answer it.
  s.events.close_all();
  s.log_stream.clients.close_all();
  const auto give_up = Clock::now() + std::chrono::seconds(1);
  while (s.counters.websocket_connections.load() > 0 && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  for (auto& io : s.ios) io->stop();
  for (std::thread& t : s.threads) t.join();
  // Jobs the database thread drops take their connections' coroutines with them: that must
  // happen while the contexts still exist and no thread runs them.
  s.db_worker->stop();
  // With every thread gone, destroying the contexts destroys the suspended connection
  // coroutines, and with them their sockets.
  s.guards.clear();
  s.acceptor.reset();
  s.ios.clear();
}

int run_target(const Options& options) {
  Server server(options);
  try {
    server.start();
  } catch (const std::exception& e) {
    fmt::print(stderr, "arrload target: {}\n", e.what());
    return 1;
  }
  const bool v6 = options.bind.find(':') != std::string::npos;
  fmt::print("arrload target listening on http://{}{}{}:{}\n", v6 ? "[" : "", options.bind,
             v6 ? "]" : "", server.port());
  std::fflush(stdout);
  asio::io_context signals_io(1);
  asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int) {});
  signals_io.run();
  server.stop();
  if (!options.quiet) fmt::print(stderr, "arrload target: stopped\n");
  return 0;
}

}  // namespace arrload::target
