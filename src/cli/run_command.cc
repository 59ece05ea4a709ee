#include "cli/run_command.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "budget/budget.h"
#include "budget/verdict.h"
#include "cli/metrics_endpoint.h"
#include "cli/run_inspect.h"
#include "cli/run_one.h"
#include "cli/run_support.h"
#include "cli/web_command.h"
#include "core/duration.h"
#include "engine/class_hosts.h"
#include "engine/shape.h"
#include "scenario/loader.h"

namespace arrload::cli {

namespace {

using Files = std::vector<std::pair<std::string, std::string>>;

std::optional<scenario::Suite> load_file(const std::string& path, const Files& files) {
  if (auto python = python_locustfile_error(path); python && files.empty()) {
    fmt::print(stderr, "arrload: {}\n", *python);
    return std::nullopt;
  }
  try {
    return files.empty() ? scenario::load_suite(path)
                         : scenario::load_suite_from_strings(files, path);
  } catch (const scenario::ScenarioError& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    return std::nullopt;
  }
}

bool filter_checked(scenario::Suite& suite, const std::vector<std::string>& tags,
                    const std::vector<std::string>& exclude) {
  scenario::filter_tags(suite, split_list(tags), split_list(exclude));
  if (suite.classes.empty()) {
    fmt::print(stderr, "arrload: {}: no task is left after filtering by tags (-T/-E)\n",
               suite.file);
    return false;
  }
  return true;
}

std::optional<scenario::Suite> load_checked(const std::string& path, const Files& files,
                                            const std::vector<std::string>& tags,
                                            const std::vector<std::string>& exclude) {
  auto suite = load_file(path, files);
  if (!suite || !filter_checked(*suite, tags, exclude)) return std::nullopt;
  return suite;
}

}  // namespace

int execute_validate(const std::string& scenario, const std::vector<std::string>& tags,
                     const std::vector<std::string>& exclude_tags) {
  auto suite = load_checked(scenario, {}, tags, exclude_tags);
  if (!suite) return kExitUsage;
  try {
    engine::check_hosts(*suite, "");
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "arrload: {}: {}\n", scenario, e.what());
    return kExitUsage;
  }
  fmt::print("{}: OK — host {}, {} user class(es)\n", scenario,
             suite->host.empty() ? "(none: give --host)" : suite->host, suite->classes.size());
  for (const auto& c : suite->classes) {
    fmt::print(
        "  {:<28} weight {:<4} tasks {}{}\n", c.name,
        c.fixed_count ? fmt::format("fixed {}", *c.fixed_count) : std::to_string(c.weight),
        c.root.tasks.size(),
        c.feeder < 0 ? "" : "  feeder " + suite->feeders[static_cast<std::size_t>(c.feeder)].name);
  }
  for (const auto& f : suite->feeders) {
    fmt::print("  feeder {}: {}\n", f.name, scenario::feeder_summary(f));
  }
  return kExitOk;
}

namespace {

std::string profile_names(const scenario::Suite& suite) {
  std::string out;
  for (const scenario::Profile& p : suite.profiles) out += (out.empty() ? "" : ", ") + p.name;
  return out.empty() ? "the scenario declares no profiles:" : "profiles: " + out;
}

std::string format_seconds(std::chrono::microseconds d) { return core::format_duration(d); }

// PATH with "_NAME" added before the extension ("r/out.json" -> "r/out_baseline.json"); a PREFIX
// ending in '/' gets NAME alone ("results/" -> "results/baseline").
std::string with_profile(const std::string& path, const std::string& name, bool is_prefix) {
  if (path.empty() || path == "-") return path;
  if (path.back() == '/') return path + name;
  std::filesystem::path p(path);
  if (is_prefix || p.extension().empty()) return path + "_" + name;
  return (p.parent_path() / (p.stem().string() + "_" + name + p.extension().string())).string();
}

// Says which wins when -u/-r are given with a profile that sets users or a shape: a shape's
// stages always set users and rate; the command line wins over a profile's plain values.
void warn_overrides(const RunCommand& cmd, const scenario::Profile& p) {
  if (!p.shape.empty() && (cmd.users_given || cmd.spawn_rate_given)) {
    log_line("WARNING", fmt::format("-u/-r are ignored: profile '{}' runs the load shape '{}', "
                                    "whose stages set the users and the spawn rate",
                                    p.name, p.shape));
    return;
  }
  if (p.users && cmd.users_given && *p.users != cmd.users) {
    log_line("WARNING", fmt::format("-u {} wins over the users of profile '{}' ({})", cmd.users,
                                    p.name, *p.users));
  }
  if (p.spawn_rate && cmd.spawn_rate_given && *p.spawn_rate != cmd.spawn_rate) {
    log_line("WARNING", fmt::format("-r {:g} wins over the spawn rate of profile '{}' ({:g}/s)",
                                    cmd.spawn_rate, p.name, *p.spawn_rate));
  }
}

// Runs profile P of SUITE: its values fill what the command line left unset.
int run_profile(RunCommand cmd, scenario::Suite suite, const scenario::Profile& p, bool in_sequence,
                const budget::Budgets& budgets) {
  const double f = cmd.time_scale;
  std::optional<scenario::Shape> shape;
  if (!p.shape.empty()) shape = engine::scale_shape(*suite.find_shape(p.shape), f);
  warn_overrides(cmd, p);
  if (p.users && !cmd.users_given) cmd.users = *p.users;
  if (p.spawn_rate && !cmd.spawn_rate_given) cmd.spawn_rate = std::min(1e6, *p.spawn_rate / f);
  if (p.run_time && !cmd.run_time_given) {
    auto scaled = std::chrono::microseconds(
        std::max<std::int64_t>(1000, std::llround(static_cast<double>(p.run_time->count()) * f)));
    cmd.run_time = format_seconds(scaled);
  }
  if (cmd.user_classes.empty()) {
    if (auto error = select_classes(suite, p.classes)) {
      fmt::print(stderr, "arrload: profile '{}': {}\n", p.name, *error);
      return kExitUsage;
    }
  }
  if (p.arrival_rate && !cmd.arrival_rate) cmd.arrival_rate = p.arrival_rate;
  if (p.arrival_rate && cmd.arrival_rate && *p.arrival_rate != *cmd.arrival_rate) {
    log_line("WARNING", fmt::format("--arrival-rate {:g} wins over the arrival rate of profile "
                                    "'{}' ({:g}/s)",
                                    *cmd.arrival_rate, p.name, *p.arrival_rate));
  }
  // The timeline shrinks with --time-scale; the rates, like the users, stay.
  for (scenario::UserClass& c : suite.classes) {
    if (!c.arrival) continue;
    for (scenario::ArrivalStage& st : c.arrival->stages) {
      st.duration = std::chrono::microseconds(
          std::max<std::int64_t>(1000, std::llround(static_cast<double>(st.duration.count()) * f)));
    }
  }
  if (cmd.tags.empty()) cmd.tags = p.tags;
  if (cmd.exclude_tags.empty()) cmd.exclude_tags = p.exclude_tags;
  for (scenario::UserClass& c : suite.classes) {
    if (auto it = p.weights.find(c.name); it != p.weights.end()) c.weight = it->second;
  }
  if (!filter_checked(suite, cmd.tags, cmd.exclude_tags)) return kExitUsage;
  if (in_sequence) {
    cmd.csv_prefix = with_profile(cmd.csv_prefix, p.name, true);
    cmd.json_path = with_profile(cmd.json_path, p.name, false);
    cmd.html_path = with_profile(cmd.html_path, p.name, false);
  }
  cmd.profile_name = p.name;
  if (level_rank(cmd.loglevel) <= 1) {
    const bool open_only =
        std::all_of(suite.classes.begin(), suite.classes.end(),
                    [](const scenario::UserClass& c) { return c.arrival.has_value(); });
    std::string what = shape       ? fmt::format("shape '{}' ({} stages, {})", p.shape,
                                                 shape->stages.size(), format_seconds(shape->total()))
                       : open_only ? std::string("arrival rates")
                                   : fmt::format("{} users at {:g}/s", cmd.users, cmd.spawn_rate);
    if (cmd.arrival_rate) what += fmt::format(", arrival rate {:g}/s", *cmd.arrival_rate);
    log_line("INFO", fmt::format("Profile '{}': {}{}{}", p.name, what,
                                 cmd.run_time.empty() ? "" : " for at most " + cmd.run_time,
                                 f != 1 ? fmt::format(" (time scale {:g})", f) : ""));
  }
  if (in_sequence) cmd.junit_path = with_profile(cmd.junit_path, p.name, false);
  return run_one(cmd, &suite, std::move(shape), budgets);
}

std::set<std::string> suite_categories(const scenario::Suite& suite) {
  std::set<std::string> out;
  std::function<void(const scenario::TaskGroup&)> walk = [&](const scenario::TaskGroup& g) {
    for (const auto* list : {&g.on_start, &g.on_stop}) {
      for (const scenario::Request& r : *list) out.insert(r.category);
    }
    for (const scenario::Task& t : g.tasks) {
      for (const scenario::Request& r : t.requests) out.insert(r.category);
      if (t.group) walk(*t.group);
    }
  };
  for (const scenario::UserClass& c : suite.classes) walk(c.root);
  out.erase("");
  return out;
}

// The budgets the run is judged against: --budgets FILE, else the suite's budgets.yaml, plus
// --budget rules. Prints the problem and returns nullopt when they cannot be used.
std::optional<budget::Budgets> load_budgets(const RunCommand& cmd, const scenario::Suite& suite) {
  budget::Budgets budgets;
  if (cmd.no_budgets) return budgets;
  try {
    if (!cmd.budgets_file.empty()) {
      if (std::filesystem::is_directory(cmd.budgets_file)) {
        fmt::print(stderr, "arrload: --budgets: {}: is a directory; give the budgets file\n",
                   cmd.budgets_file);
        return std::nullopt;
      }
      budgets = budget::load_budgets_file(cmd.budgets_file);
    } else if (!cmd.scenario_files.empty()) {
      for (const auto& [name, text] : cmd.scenario_files) {
        if (scenario::is_budgets_file(name)) budgets = budget::load_budgets_text(text, name);
      }
    } else if (std::filesystem::is_directory(cmd.scenario)) {
      for (const char* name : {"budgets.yaml", "budgets.yml"}) {
        std::filesystem::path file = std::filesystem::path(cmd.scenario) / name;
        if (std::filesystem::exists(file)) budgets = budget::load_budgets_file(file.string());
      }
    }
    for (const std::string& text : cmd.budget_rules) {
      budgets.add(budget::parse_rule(text, "--budget"));
    }
  } catch (const budget::BudgetError& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    return std::nullopt;
  }
  // A misspelt category would judge nothing; say so before any load is sent.
  const std::set<std::string> known = suite_categories(suite);
  for (const budget::Rule& r : budgets.rules) {
    if (r.scope.kind == budget::Scope::Kind::kCategory && !known.count(r.scope.category)) {
      std::string list;
      for (const std::string& c : known) list += (list.empty() ? "" : ", ") + c;
      fmt::print(stderr, "arrload: {}: budget for unknown category '{}' (the scenario's: {})\n",
                 r.origin, r.scope.category, list.empty() ? "none declared" : list);
      return std::nullopt;
    }
  }
  return budgets;
}

}  // namespace

int run_suite_once(const RunCommand& cmd, const scenario::Suite& suite,
                   const scenario::Profile* profile, const budget::Budgets& budgets) {
  if (profile != nullptr) return run_profile(cmd, suite, *profile, false, budgets);
  return run_one(cmd, &suite, std::nullopt, budgets);
}

namespace {

// Locust's options that print something about the scenario and exit (-l, --show-task-ratio);
// nullopt when none was given.
std::optional<int> inspect_only(const RunCommand& cmd, scenario::Suite& suite) {
  if (cmd.list_classes) {
    fmt::print("{}", class_list(suite));
    return kExitOk;
  }
  if (!cmd.show_task_ratio && !cmd.show_task_ratio_json) return std::nullopt;
  if (!filter_checked(suite, cmd.tags, cmd.exclude_tags)) return kExitUsage;
  const std::vector<double> shares = class_shares(suite, cmd.users_given ? cmd.users : 0);
  fmt::print("{}", cmd.show_task_ratio_json ? task_ratio_json(suite, shares)
                                            : task_ratio_text(suite, shares));
  return kExitOk;
}

// Option combinations that cannot work, with what to write instead; nullopt when none.
std::optional<std::string> conflicting_options(const RunCommand& cmd) {
  if (!cmd.json_stdout) return std::nullopt;
  for (const std::string& name : cmd.user_classes) {
    // `--json out.json`, as arrload took it before --json became Locust's flag.
    if (name == "-" || name.ends_with(".json")) {
      return fmt::format(
          "'{}' is not a user class: --json is Locust's flag (the final stats as JSON on "
          "stdout); write arrload's JSON report to a file with --json-file {}",
          name, name == "-" ? "FILE" : name);
    }
  }
  if (cmd.json_path == "-" || cmd.html_path == "-") {
    return "--json prints Locust's stats on stdout; --json-file - or --html - would mix another "
           "document into it (give them a FILE)";
  }
  return std::nullopt;
}

// --headless: the run (or each profile's run) with CMD's options.
int run_headless(const RunCommand& cmd, scenario::Suite& suite, const budget::Budgets& budgets) {
  catch_signals();
  if (cmd.profiles.empty()) {
    if (cmd.time_scale != 1) {
      fmt::print(stderr,
                 "arrload: --time-scale compresses a profile's timeline; give --profile NAME "
                 "too (or shorten -t)\n");
      return kExitUsage;
    }
    if (!filter_checked(suite, cmd.tags, cmd.exclude_tags)) return kExitUsage;
    return run_one(cmd, &suite, std::nullopt, budgets);
  }
  std::vector<std::string> names = split_list(cmd.profiles);  // "a,b" and "--profile a --profile b"
  std::vector<const scenario::Profile*> chosen;
  for (const std::string& name : names) {
    const scenario::Profile* p = suite.find_profile(name);
    if (p == nullptr) {
      fmt::print(stderr, "arrload: --profile: no profile '{}' in {} ({})\n", name, cmd.scenario,
                 profile_names(suite));
      return kExitUsage;
    }
    chosen.push_back(p);
  }
  int worst = kExitOk;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    int status = run_profile(cmd, suite, *chosen[i], chosen.size() > 1, budgets);
    worst = std::max(worst, status);
    if (g_signal != 0 && i + 1 < chosen.size()) {
      fmt::print(stderr, "arrload: interrupted; not running the remaining profiles\n");
      break;
    }
    if (status != kExitOk && !cmd.keep_going && i + 1 < chosen.size()) {
      fmt::print(stderr,
                 "arrload: profile '{}' failed (exit {}); not running the rest (--keep-going "
                 "runs them all)\n",
                 chosen[i]->name, status);
      break;
    }
  }
  return worst;
}

}  // namespace

int execute_run(const RunCommand& cmd) {
  // Headless: a signal from here on, while the scenario loads too, still ends in the reports.
  if (cmd.headless) catch_signals();
  if (auto conflict = conflicting_options(cmd)) {
    fmt::print(stderr, "arrload: {}\n", *conflict);
    return kExitUsage;
  }
  auto suite = load_file(cmd.scenario, cmd.scenario_files);
  if (!suite) return kExitUsage;
  if (auto done = inspect_only(cmd, *suite)) return *done;
  // With profiles and no class names, each profile chooses its classes (run_profile).
  if (!cmd.user_classes.empty() || cmd.profiles.empty()) {
    if (auto error = select_classes(*suite, cmd.user_classes)) {
      fmt::print(stderr, "arrload: {}\n", *error);
      return kExitUsage;
    }
  }
  auto budgets = load_budgets(cmd, *suite);
  if (!budgets) return kExitUsage;
  if (!cmd.headless) {
    if (cmd.user_classes.empty() && !cmd.profiles.empty()) select_classes(*suite, {});
    if (!filter_checked(*suite, cmd.tags, cmd.exclude_tags)) return kExitUsage;
    return execute_web(cmd, *suite, *budgets);
  }
  if (cmd.prometheus_port == 0 || cmd.metrics != nullptr) {
    return run_headless(cmd, *suite, *budgets);
  }
  return with_metrics_endpoint(cmd, [&](const RunCommand& with_board) {
    return run_headless(with_board, *suite, *budgets);
  });
}

int execute_profiles(const std::string& scenario) {
  auto suite = load_file(scenario, {});
  if (!suite) return kExitUsage;
  if (suite->profiles.empty()) {
    fmt::print("{}: no profiles (add profiles: to the scenario; docs/scenario-format.md)\n",
               scenario);
    return kExitOk;
  }
  fmt::print("{:<12} {:>6} {:>6} {:>9} {:<12} {}\n", "PROFILE", "USERS", "RATE", "DURATION",
             "SHAPE", "DESCRIPTION");
  for (const scenario::Profile& p : suite->profiles) {
    std::string users = p.users ? std::to_string(*p.users) : "-";
    std::string rate = p.spawn_rate ? fmt::format("{:g}/s", *p.spawn_rate) : "-";
    std::optional<std::chrono::microseconds> duration = p.run_time;
    if (!p.shape.empty()) {
      const scenario::Shape* shape = suite->find_shape(p.shape);
      int peak = 0;
      for (const auto& st : shape->stages) peak = std::max(peak, st.users);
      users = fmt::format("<={}", peak);
      rate = "shape";
      if (!duration || shape->total() < *duration) duration = shape->total();
    }
    fmt::print("{:<12} {:>6} {:>6} {:>9} {:<12} {}\n", p.name, users, rate,
               duration ? format_seconds(*duration) : "-", p.shape.empty() ? "-" : p.shape,
               p.description);
  }
  return kExitOk;
}

}  // namespace arrload::cli
