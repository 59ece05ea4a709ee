#include "cli/app.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/config_file.h"
#include "cli/demo_command.h"
#include "cli/run_command.h"
#include "target/server.h"

namespace arrload::cli {

namespace {

const std::set<std::string> kSubcommands = {"run", "validate", "demo", "target"};

// `arrload -f x.yaml ...` means `arrload run -f x.yaml ...`; --config FILE adds the file's
// options right after the subcommand so the command line (later, TakeLast) wins.
std::vector<std::string> prepare_args(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  bool top_level_only = !args.empty() && (args[0] == "-h" || args[0] == "--help" ||
                                          args[0] == "--version" || args[0] == "-V");
  if (!top_level_only && (args.empty() || !kSubcommands.count(args[0]))) {
    args.insert(args.begin(), "run");
  }
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string file;
    if (args[i] == "--config" && i + 1 < args.size()) {
      file = args[i + 1];
    } else if (args[i].rfind("--config=", 0) == 0) {
      file = args[i].substr(9);
    }
    if (!file.empty()) {
      std::vector<std::string> tokens = config_file_tokens(file);
      args.insert(args.begin() + 1, tokens.begin(), tokens.end());
      break;
    }
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      fmt::format(
          "arrload {} - Locust-style load testing at native speed.\n"
          "`arrload [run] -f SCENARIO --host URL -u USERS -r RATE -t TIME --headless --csv PREFIX`",
          ARRLOAD_VERSION),
      "arrload"};
  app.set_version_flag("-V,--version", ARRLOAD_VERSION);
  app.require_subcommand(1);
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  std::string config_path;

  RunCommand run;
  CLI::App* run_cmd = app.add_subcommand("run", "Run a load test (the default subcommand)");
  add_run_options(*run_cmd, run);
  run_cmd->add_option("--config", config_path, "Read options from FILE (locust.conf style)");

  std::string validate_file;
  std::vector<std::string> validate_tags, validate_exclude;
  CLI::App* validate_cmd = app.add_subcommand("validate", "Check a scenario file and exit");
  validate_cmd
      ->add_option("-f,--scenario,--locustfile", validate_file, "Scenario file or directory")
      ->required();
  validate_cmd->add_option("-T,--tags", validate_tags, "Keep only tasks with one of these tags");
  validate_cmd->add_option("-E,--exclude-tags", validate_exclude, "Drop tasks with these tags");

  RunCommand demo = demo_defaults();
  CLI::App* demo_cmd = app.add_subcommand(
      "demo", "Start the embedded AutoArr target on a free loopback port and load-test it");
  add_run_options(*demo_cmd, demo, /*scenario_required=*/false);
  demo_cmd->add_option("--config", config_path, "Read options from FILE (locust.conf style)");

  target::Options target_opts;
  CLI::App* target_cmd = app.add_subcommand("target", "Serve the embedded AutoArr target");
  target_cmd->add_option("--bind", target_opts.bind, "Address to listen on")->capture_default_str();
  target_cmd->add_option("--port", target_opts.port, "Port (0 = any free port)")
      ->capture_default_str();
  target_cmd->add_option("--threads", target_opts.threads, "Server threads")->capture_default_str();
  target_cmd
      ->add_option("--latency-scale", target_opts.latency_scale,
                   "Multiply the simulated latency of every route (0 = none)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  target_cmd->add_option("--seed", target_opts.seed, "Seed of the generated library")
      ->capture_default_str();
  target_cmd->add_option("--db", target_opts.db_path,
                         "SQLite database file (default: a temporary file removed on exit; "
                         ":memory: keeps it in memory)");

  try {
    std::vector<std::string> args = prepare_args(argc, argv);
    if (std::find(args.begin(), args.end(), "--web") != args.end()) {
      fmt::print(stderr,
                 "arrload: --web: there is no web UI yet; run without it (headless), e.g. "
                 "`arrload -f SCENARIO --host URL -u 30 -r 5 -t 5m --headless`\n");
      return kExitUsage;
    }
    std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  } catch (const std::runtime_error& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    return kExitUsage;
  }

  try {
    if (*run_cmd) return execute_run(run);
    if (*validate_cmd) return execute_validate(validate_file, validate_tags, validate_exclude);
    if (*demo_cmd) return execute_demo(demo);
    if (*target_cmd) {
      target_opts.quiet = false;
      return target::run_target(target_opts);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    return kExitRuntimeError;
  }
  return kExitUsage;
}

}  // namespace arrload::cli
