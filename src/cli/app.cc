#include "cli/app.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/compare_command.h"
#include "cli/config_file.h"
#include "cli/demo_command.h"
#include "cli/option_checks.h"
#include "cli/run_command.h"
#include "cli/run_support.h"
#include "cli/version.h"
#include "cli/worker_command.h"
#include "core/duration.h"
#include "target/server.h"

namespace arrload::cli {

namespace {

const std::set<std::string> kSubcommands = {"run",    "validate",   "profiles", "demo",
                                            "target", "locustfile", "compare"};

// `arrload -f x.yaml ...` means `arrload run -f x.yaml ...`. Options from config files go right
// after the subcommand so the command line (later, TakeLast) wins: for `run`, Locust's
// ~/.locust.conf and ./locust.conf when they exist, then --config FILE (run and demo). KNOWN says
// which keys the subcommand takes; NOTES gets what was read and the warnings.
std::vector<std::string> prepare_args(int argc, char** argv,
                                      const std::function<const CLI::App*(const std::string&)>& sub,
                                      std::vector<std::pair<std::string, std::string>>& notes) {
  std::vector<std::string> args(argv + 1, argv + argc);
  bool top_level_only = !args.empty() && (args[0] == "-h" || args[0] == "--help" ||
                                          args[0] == "--version" || args[0] == "-V");
  if (!top_level_only && (args.empty() || !kSubcommands.count(args[0]))) {
    args.insert(args.begin(), "run");
  }
  if (top_level_only) return args;
  std::vector<std::string> files;
  if (args[0] == "run") {
    for (const std::string& f : default_config_files()) {
      if (std::filesystem::is_regular_file(f)) files.push_back(f);
    }
  }
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      files.push_back(args[i + 1]);
    } else if (args[i].rfind("--config=", 0) == 0) {
      files.push_back(args[i].substr(9));
    }
  }
  const CLI::App* cmd = sub(args[0]);
  KnownOption known;
  if (cmd != nullptr) {
    known = [cmd](const std::string& key) {
      return cmd->get_option_no_throw("--" + key) != nullptr;
    };
    // A pasted Locust command line: its options arrload lacks are dropped with a warning.
    for (const std::string& d : drop_locust_only(args, known)) {
      notes.emplace_back("WARNING",
                         fmt::format("'{}' is a Locust option arrload does not take; ignored", d));
    }
  }
  std::vector<std::string> tokens;
  std::set<std::filesystem::path> seen;
  for (const std::string& f : files) {
    std::error_code ec;
    std::filesystem::path canonical = std::filesystem::weakly_canonical(f, ec);
    if (!ec && !seen.insert(canonical).second) continue;  // --config locust.conf in its folder
    std::vector<std::string> warnings;
    std::vector<std::string> more = config_file_tokens(f, known, &warnings);
    for (const std::string& w : warnings) notes.emplace_back("WARNING", w);
    notes.emplace_back("INFO", fmt::format("Options from {}", f));
    std::string list;
    for (const std::string& t : more) list += (list.empty() ? "" : " ") + t;
    notes.emplace_back("DEBUG", fmt::format("{}: {}", f, list.empty() ? "(none)" : list));
    tokens.insert(tokens.end(), more.begin(), more.end());
  }
  args.insert(args.begin() + 1, tokens.begin(), tokens.end());
  return args;
}

// A CLI11 transform for the target's duration flags: DURATION (core::parse_duration: "20ms",
// "5s", "1m"; a bare number is seconds) into a number of UNIT_SECONDS, at most MAX of them.
CLI::Validator duration_in(double unit_seconds, double max) {
  return CLI::Validator(
      [unit_seconds, max](std::string& text) -> std::string {
        const auto d = core::parse_duration(text);
        if (!d) return fmt::format("'{}' is not a duration (use e.g. 20ms, 5s, 1m)", text);
        const double value = static_cast<double>(d->count()) / 1e6 / unit_seconds;
        if (value > max) return fmt::format("'{}' is too long", text);
        text = fmt::format("{}", value);
        return {};
      },
      "DURATION");
}

// The target's fault-injection flags (docs/target.md, "Fault injection"), into FAULTS.
void add_target_fault_options(CLI::App* cmd, target::FaultConfig& faults) {
  const char* group = "Fault injection";
  const std::pair<const char*, double target::FaultConfig::*> ratios[] = {
      {"--error-ratio-health", &target::FaultConfig::error_ratio_health},
      {"--error-ratio-read", &target::FaultConfig::error_ratio_read},
      {"--error-ratio-write", &target::FaultConfig::error_ratio_write},
      {"--error-ratio-slow", &target::FaultConfig::error_ratio_slow}};
  for (const auto& [name, field] : ratios) {
    const std::string what = std::string(name).substr(std::string("--error-ratio-").size());
    cmd->add_option(name, faults.*field,
                    fmt::format("Fraction (0..1) of {} routes answered with --error-status", what))
        ->check(in_range(0, 1))
        ->group(group);
  }
  cmd->add_option("--error-status", faults.error_status, "Status of the injected errors")
      ->check(CLI::IsMember({500, 502, 503}))
      ->capture_default_str()
      ->group(group);
  cmd->add_option("--added-latency", faults.added_latency_ms,
                  "Added to every response, not scaled by --latency-scale (e.g. 20ms)")
      ->transform(duration_in(0.001, 600'000))
      ->group(group);
  const std::pair<const char*, double target::FaultConfig::*> latencies[] = {
      {"--added-latency-health", &target::FaultConfig::added_latency_health_ms},
      {"--added-latency-read", &target::FaultConfig::added_latency_read_ms},
      {"--added-latency-write", &target::FaultConfig::added_latency_write_ms},
      {"--added-latency-slow", &target::FaultConfig::added_latency_slow_ms}};
  for (const auto& [name, field] : latencies) {
    const std::string what = std::string(name).substr(std::string("--added-latency-").size());
    cmd->add_option(name, faults.*field,
                    fmt::format("Added to the {} routes' responses only (on top of "
                                "--added-latency), e.g. 50ms",
                                what))
        ->transform(duration_in(0.001, 600'000))
        ->group(group);
  }
  cmd->add_option("--stall", faults.stall_seconds,
                  "Length of each stall, during which no response is sent (needs --stall-every)")
      ->transform(duration_in(1, 3600))
      ->group(group);
  cmd->add_option("--stall-every", faults.stall_every_seconds,
                  "A stall starts every this long, the first at start-up (e.g. 60s)")
      ->transform(duration_in(1, 86'400))
      ->group(group);
  cmd->add_option("--reset-ratio", faults.reset_ratio,
                  "Fraction (0..1) of requests answered with a TCP reset")
      ->check(in_range(0, 1))
      ->group(group);
  cmd->add_option("--leak-mib-per-minute", faults.leak_mib_per_minute,
                  "Grow resident memory by this many MiB per minute of load")
      ->check(in_range(0, 1'000'000))
      ->group(group);
  cmd->add_option("--warmup", faults.warmup_seconds,
                  "/health/ready answers 503 for this long after start-up (e.g. 30s)")
      ->transform(duration_in(1, 86'400))
      ->group(group);
}

// What is wrong with the fault flags taken together; nullopt when nothing.
std::optional<std::string> check_target_faults(const target::FaultConfig& faults) {
  if (faults.stall_seconds > 0 && faults.stall_every_seconds <= 0) {
    return "--stall needs --stall-every (how often a stall starts)";
  }
  if (faults.stall_every_seconds > 0 && faults.stall_seconds >= faults.stall_every_seconds) {
    return "--stall must be shorter than --stall-every";
  }
  return std::nullopt;
}

// CLI11's "Could not convert: --port = 70000" (a value its type cannot hold, a flag's value
// that is not true/false) in the words the other option errors use.
std::string conversion_message(const CLI::ConversionError& e) {
  const std::string text = e.what();
  const std::string head = "Could not convert: ";
  const std::size_t eq = text.find(" = ");
  if (text.rfind(head, 0) != 0 || eq == std::string::npos) return text;
  return fmt::format("{}: '{}' is not a value this option takes (see --help)",
                     text.substr(head.size(), eq - head.size()), text.substr(eq + 3));
}

int run_command_line(int argc, char** argv) {
  CLI::App app{
      fmt::format(
          "arrload {} - Locust-style load testing at native speed.\n"
          "`arrload [run] -f SCENARIO --host URL -u USERS -r RATE -t TIME --headless --csv PREFIX`",
          ARRLOAD_VERSION),
      "arrload"};
  app.set_version_flag("-V,--version", version_line());
  app.require_subcommand(1);
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  std::string config_path;

  RunCommand run;
  CLI::App* run_cmd = app.add_subcommand("run", "Run a load test (the default subcommand)");
  add_run_options(*run_cmd, run);
  WorkerFlags worker;
  add_worker_options(*run_cmd, worker);
  run_cmd->add_option("--config", config_path, "Read options from FILE (locust.conf style)");

  std::string validate_file;
  std::vector<std::string> validate_tags, validate_exclude;
  CLI::App* validate_cmd = app.add_subcommand("validate", "Check a scenario file and exit");
  validate_cmd
      ->add_option("-f,--scenario,--locustfile", validate_file, "Scenario file or directory")
      ->required();
  validate_cmd->add_option("-T,--tags", validate_tags, "Keep only tasks with one of these tags");
  validate_cmd->add_option("-E,--exclude-tags", validate_exclude, "Drop tasks with these tags");

  std::string profiles_file;
  CLI::App* profiles_cmd =
      app.add_subcommand("profiles", "List a scenario's profiles (for --profile NAME)");
  profiles_cmd
      ->add_option("-f,--scenario,--locustfile", profiles_file, "Scenario file or directory")
      ->required();

  std::string locustfile_scenario;
  CLI::App* locustfile_cmd = app.add_subcommand(
      "locustfile", "Print the locustfile a Locust master needs to drive workers running SCENARIO");
  locustfile_cmd
      ->add_option("-f,--scenario,--locustfile", locustfile_scenario, "Scenario file or directory")
      ->required();

  RunCommand demo = demo_defaults();
  CLI::App* demo_cmd = app.add_subcommand(
      "demo", "Start the embedded AutoArr target on a free loopback port and load-test it");
  add_run_options(*demo_cmd, demo, /*scenario_required=*/false);
  demo_cmd->add_option("--config", config_path, "Read options from FILE (locust.conf style)");

  target::Options target_opts;
  CLI::App* target_cmd = app.add_subcommand("target", "Serve the embedded AutoArr target");
  target_cmd->add_option("--bind", target_opts.bind, "Address to listen on")->capture_default_str();
  target_cmd->add_option("--port", target_opts.port, "Port (0 = any free port)")
      ->capture_default_str()
      ->check(in_range(0, 65535));
  target_cmd->add_option("--threads", target_opts.threads, "Server threads")
      ->capture_default_str()
      ->check(in_range(0, kMaxThreads));
  target_cmd
      ->add_option("--latency-scale", target_opts.latency_scale,
                   "Multiply the simulated latency of every route (0 = none)")
      ->capture_default_str()
      ->check(non_negative());
  target_cmd->add_option("--seed", target_opts.seed, "Seed of the generated library")
      ->capture_default_str()
      ->check(non_negative());
  target_cmd->add_option("--db", target_opts.db_path,
                         "SQLite database file (default: a temporary file removed on exit; "
                         ":memory: keeps it in memory)");
  target_cmd
      ->add_option("--download-seconds", target_opts.download_seconds,
                   "Seconds each download of the SABnzbd queue takes (0 = the queue stands still)")
      ->capture_default_str()
      ->check(in_range(0, 86'400));
  add_target_fault_options(target_cmd, target_opts.faults);
  target_cmd->add_flag("--admin", target_opts.admin,
                       "Serve /__target/faults, which changes the fault knobs at run time "
                       "(off: 404; the fault flags work without it)");

  CompareCommand compare;
  CLI::App* compare_cmd = app.add_subcommand(
      "compare", "Compare a run with a baseline run, per endpoint, against regression budgets");
  add_compare_options(*compare_cmd, compare);

  // LOCUST_* variables as Locust's Helm chart and many manifests set them; ARRLOAD_* ones win.
  std::vector<std::pair<std::string, std::vector<std::string>>> env_vars;
  for (const CLI::App* cmd : {run_cmd, demo_cmd}) {
    for (const CLI::Option* o : cmd->get_options()) {
      if (!o->get_envname().empty()) {
        env_vars.emplace_back(o->get_envname(), locust_env_names(o->get_lnames()));
      }
    }
  }
  import_locust_env(env_vars);

  std::vector<std::pair<std::string, std::string>> notes;  // {level, text}
  try {
    std::vector<std::string> args = prepare_args(
        argc, argv,
        [&](const std::string& name) -> const CLI::App* {
          return name == "run" ? run_cmd : name == "demo" ? demo_cmd : nullptr;
        },
        notes);
    std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector
    app.parse(args);
  } catch (const CLI::ConversionError& e) {
    fmt::print(stderr, "{}\nRun with --help for more information.\n", conversion_message(e));
    return kExitUsage;
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    return kExitUsage;
  }
  const RunCommand& chosen = *demo_cmd ? demo : run;
  if (!chosen.logfile.empty()) {
    if (auto error = open_log_file(chosen.logfile)) {
      fmt::print(stderr, "arrload: --logfile: {}\n", *error);
      return kExitUsage;
    }
  }
  for (const auto& [level, text] : notes) {
    if (level_rank(level) >= level_rank(chosen.loglevel)) log_line(level, text);
  }

  try {
    if (*run_cmd) {
      if (worker.worker && worker.master) {
        fmt::print(stderr, "arrload: --master and --worker exclude each other\n");
        return kExitUsage;
      }
      if (run.list_classes || run.show_task_ratio || run.show_task_ratio_json) {
        return execute_run(run);  // prints and exits before any load
      }
      if ((worker.master || worker.worker) && (!run.user_classes.empty() || run.iterations > 0)) {
        fmt::print(stderr,
                   "arrload: UserClass arguments and -i/--iterations work in one process only, "
                   "not yet with --master/--worker\n");
        return kExitUsage;
      }
      if (worker.master) return execute_master(run, worker);
      return worker.worker ? execute_worker(run, worker) : execute_run(run);
    }
    if (*validate_cmd) return execute_validate(validate_file, validate_tags, validate_exclude);
    if (*profiles_cmd) return execute_profiles(profiles_file);
    if (*locustfile_cmd) return execute_locustfile(locustfile_scenario);
    if (*demo_cmd) return execute_demo(demo);
    if (*compare_cmd) return execute_compare(compare);
    if (*target_cmd) {
      if (auto error = check_target_faults(target_opts.faults)) {
        fmt::print(stderr, "arrload target: {}\n", *error);
        return kExitUsage;
      }
      target_opts.quiet = false;
      return target::run_target(target_opts);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    return kExitRuntimeError;
  }
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  // Nothing thrown reaches std::terminate: a problem the code above did not foresee still ends
  // with a message and status 1.
  try {
    return run_command_line(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "arrload: unexpected error: {}\n", e.what());
  } catch (...) {
    fmt::print(stderr, "arrload: unexpected error\n");
  }
  return kExitRuntimeError;
}

}  // namespace arrload::cli
