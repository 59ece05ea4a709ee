#include "cli/metrics_endpoint.h"

#include <chrono>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "cli/run_command.h"
#include "cli/run_support.h"
#include "web/api.h"

namespace arrload::cli {

void MetricsBoard::begin_run() {
  std::lock_guard lock(mu_);
  snap_.reset();
  info_ = report::MetricsInfo{};
  info_.state = "spawning";
}

void MetricsBoard::update(const stats::Snapshot& snap) {
  // The copy is made outside the lock; a scrape holds the lock only to take the pointer.
  auto view = std::make_shared<const stats::Snapshot>(report::metrics_view(snap));
  std::lock_guard lock(mu_);
  snap_ = std::move(view);
}

void MetricsBoard::set_state(std::string_view state) {
  std::lock_guard lock(mu_);
  info_.state = std::string(state);
}

void MetricsBoard::set_generator(const monitor::SelfCheckSample& sample) {
  std::lock_guard lock(mu_);
  info_.generator_cpu_cores = sample.cpu_percent / 100.0;
  info_.generator_cores = sample.cores;
  info_.generator_tick_lag_seconds = sample.lag_ms / 1e3;
  info_.generator_saturated = sample.saturated;
}

void MetricsBoard::set_target_memory(const monitor::MemorySample& sample) {
  if (!sample.ok) return;
  std::lock_guard lock(mu_);
  info_.target_resident_bytes = sample.rss_bytes;
}

std::string MetricsBoard::render() const {
  std::shared_ptr<const stats::Snapshot> snap;
  report::MetricsInfo info;
  {
    std::lock_guard lock(mu_);
    snap = snap_;
    info = info_;
  }
  web::add_process_readings(info);
  return report::prometheus_text(snap.get(), info);
}

namespace {

// Calls BOARD's set_state(STATE) after what HOOK already did.
template <typename Arg>
std::function<void(Arg)> then_state(std::function<void(Arg)> hook, MetricsBoard& board,
                                    std::string_view state) {
  return [hook = std::move(hook), &board, state](Arg arg) {
    if (hook) hook(arg);
    board.set_state(state);
  };
}

}  // namespace

void follow_run_state(engine::RunHooks& hooks, MetricsBoard& board) {
  hooks.spawning = then_state(std::move(hooks.spawning), board, "spawning");
  hooks.spawned = then_state(std::move(hooks.spawned), board, "running");
  hooks.stopping = then_state(std::move(hooks.stopping), board, "stopping");
}

std::unique_ptr<web::Server> start_metrics_server(const RunCommand& cmd,
                                                  std::function<std::string()> render) {
  web::ServerOptions options;
  options.host = cmd.prometheus_host;
  options.port = static_cast<unsigned short>(cmd.prometheus_port);
  options.what = "--prometheus-port";
  options.host_option = "--prometheus-host";
  auto server = std::make_unique<web::Server>(
      options, [render = std::move(render)](const web::HttpRequest& in) {
        web::HttpResponse out;
        out.content_type = "text/plain; charset=utf-8";
        const std::string path = in.target.substr(0, in.target.find('?'));
        if (in.method != "GET" && in.method != "HEAD") {
          out.status = 405;
          out.body = "GET /metrics\n";
        } else if (path == "/metrics") {
          out.content_type = std::string(report::kPrometheusContentType);
          out.body = render();
        } else {
          out.status = 404;
          out.body = "arrload: the Prometheus metrics are at /metrics\n";
        }
        return out;
      });
  server->start();
  log_line("INFO", fmt::format("Prometheus metrics on http://{}:{}/metrics", cmd.prometheus_host,
                               server->port()));
  return server;
}

int with_metrics_endpoint(const RunCommand& cmd, const std::function<int(const RunCommand&)>& run) {
  auto linger = duration_option("--prometheus-linger", cmd.prometheus_linger, /*allow_zero=*/true);
  if (!linger) return kExitUsage;
  MetricsBoard board;
  board.set_state("ready");
  std::unique_ptr<web::Server> server;
  try {
    server = start_metrics_server(cmd, [&board] { return board.render(); });
  } catch (const std::exception& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    return kExitRuntimeError;
  }
  RunCommand with_board = cmd;
  with_board.metrics = &board;
  const int status = run(with_board);
  // The runner, destroyed at the run's end, gave SIGINT/SIGTERM their default actions back: caught
  // again, they end the linger instead of the process.
  catch_signals();
  // The last scrape of a short run would otherwise miss its final numbers.
  const auto until = std::chrono::steady_clock::now() + *linger;
  if (linger->count() > 0 && g_signal == 0 && level_rank(cmd.loglevel) <= 1) {
    log_line("INFO", fmt::format("Serving the final metrics for {} (--prometheus-linger)",
                                 cmd.prometheus_linger));
  }
  while (g_signal == 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  server->stop();
  return status;
}

}  // namespace arrload::cli
