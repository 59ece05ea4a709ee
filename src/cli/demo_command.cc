#include "cli/demo_command.h"

#include <fmt/format.h>

#include "cli/embedded_suite.h"
#include "target/server.h"

namespace arrload::cli {

RunCommand demo_defaults() {
  RunCommand cmd;
  cmd.users = 50;
  cmd.spawn_rate = 10;
  cmd.run_time = "60s";
  cmd.headless = true;
  cmd.csv_prefix = "results/demo/autoarr";
  cmd.html_path = "results/demo/autoarr.html";
  cmd.json_path = "results/demo/autoarr.json";
  cmd.stop_timeout = "5s";
  // The demo shows the verdict without failing on it: the embedded target models AutoArr's
  // documented 10-15 s audits, which the suite's slow budget (p95 < 5 s) does not allow.
  cmd.gate_on_verdict = false;
  return cmd;
}

int execute_demo(RunCommand cmd) {
  target::Options opts;
  opts.port = 0;
  opts.threads = 1;
  target::Server server(opts);
  server.start();
  if (cmd.host.empty()) cmd.host = fmt::format("http://127.0.0.1:{}", server.port());
  if (cmd.scenario.empty()) {
    cmd.scenario = "scenarios/autoarr (embedded)";
    cmd.scenario_files = embedded_suite();
  }
  fmt::print(stderr,
             "arrload demo: the AutoArr suite ({}) against the embedded AutoArr target on {}; {} "
             "users for {}; reports: {}_*.csv{}\n",
             cmd.scenario, cmd.host, cmd.users,
             cmd.run_time.empty() ? "until Ctrl-C" : cmd.run_time, cmd.csv_prefix,
             cmd.html_path.empty() ? "" : ", " + cmd.html_path);
  int status = execute_run(cmd);
  server.stop();
  return status;
}

}  // namespace arrload::cli
