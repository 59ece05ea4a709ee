#include "cli/run_inspect.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "cli/locust_json.h"
#include "cluster/value.h"

namespace arrload::cli {

namespace {

using cluster::Map;
using cluster::Value;

// Locust's table line: " %-10s %-50s" of the percentage and the name, both indented by LEVEL.
void ratio_line(std::string& out, int level, double ratio, const std::string& name) {
  const std::string pad(static_cast<std::size_t>(level) * 2, ' ');
  out += fmt::format(" {:<10} {:<50}\n", pad + fmt::format("{:<6.1f}", ratio * 100), pad + name);
}

// A task's ratio as Locust's --show-task-ratio computes it: its weight (tasks of the same name
// summed) times PARENT over the group's weights, in that order of operations, so the numbers are
// Locust's to the last digit. PARENT: 1 per class (a nested task's share of its own group), the
// enclosing ratio in total.
struct RatioNode {
  std::string name;
  double ratio = 0;
  std::vector<RatioNode> tasks;
};

std::vector<RatioNode> ratio_nodes(const scenario::TaskGroup& group, bool total, double parent) {
  struct Count {
    std::string name;
    int weight = 0;
    const scenario::TaskGroup* group = nullptr;
  };
  std::vector<Count> counts;
  int sum = 0;
  for (const scenario::Task& t : group.tasks) {
    const int w = group.sequential ? 1 : t.weight;
    sum += w;
    auto same = std::find_if(counts.begin(), counts.end(),
                             [&](const Count& c) { return c.name == t.name; });
    if (same == counts.end()) same = counts.insert(counts.end(), Count{t.name, 0, nullptr});
    same->weight += w;
    if (t.kind == scenario::Task::Kind::kGroup && t.group) same->group = t.group.get();
  }
  std::vector<RatioNode> out;
  if (sum == 0) return out;
  for (const Count& c : counts) {
    RatioNode node{c.name, c.weight * parent / sum, {}};
    if (c.group != nullptr) node.tasks = ratio_nodes(*c.group, total, total ? node.ratio : 1.0);
    out.push_back(std::move(node));
  }
  return out;
}

void ratio_lines(std::string& out, const std::vector<RatioNode>& nodes, int level) {
  for (const RatioNode& n : nodes) {
    ratio_line(out, level, n.ratio, n.name);
    ratio_lines(out, n.tasks, level + 1);
  }
}

Map ratio_tree(const std::vector<RatioNode>& nodes) {
  Map out;
  for (const RatioNode& n : nodes) {
    Map entry{{"ratio", n.ratio}};
    if (!n.tasks.empty()) entry.emplace_back("tasks", ratio_tree(n.tasks));
    out.emplace_back(n.name, std::move(entry));
  }
  return out;
}

// Python's round(): halves to even.
double round_half_even(double x) {
  const double r = std::round(x);
  if (std::fabs(x - std::trunc(x)) == 0.5) return 2 * std::round(x / 2);
  return r;
}

}  // namespace

std::string class_list(const scenario::Suite& suite) {
  std::string out = "Available Users:\n";
  for (const scenario::UserClass& c : suite.classes) out += "    " + c.name + "\n";
  return out;
}

std::vector<double> class_shares(const scenario::Suite& suite, int users) {
  int fixed = 0;
  double weights = 0;
  bool any_fixed = false;
  for (const scenario::UserClass& c : suite.classes) {
    if (c.fixed_count) {
      fixed += *c.fixed_count;
      any_fixed = true;
    } else {
      weights += c.weight;
    }
  }
  if (users <= 0) users = any_fixed ? 1 : static_cast<int>(weights);
  const double weighted = std::max(0, users - fixed);
  std::vector<double> counts;
  double placed = 0;
  for (const scenario::UserClass& c : suite.classes) {
    double n = c.fixed_count ? *c.fixed_count
               : weights > 0 ? round_half_even(c.weight / weights * weighted)
                             : 0;
    counts.push_back(n);
    placed += n;
  }
  for (double& n : counts) n = n / std::max(1.0, placed);
  return counts;
}

std::string task_ratio_text(const scenario::Suite& suite, const std::vector<double>& shares) {
  std::string out;
  const std::string rule(80, '-');
  for (bool total : {false, true}) {
    out += total ? "\n Total task ratio\n" : "\n Task ratio per User class\n";
    out += rule + "\n";
    for (std::size_t i = 0; i < suite.classes.size(); ++i) {
      ratio_line(out, 0, shares[i], suite.classes[i].name);
      ratio_lines(out, ratio_nodes(suite.classes[i].root, total, total ? shares[i] : 1.0), 1);
    }
  }
  return out;
}

std::string task_ratio_json(const scenario::Suite& suite, const std::vector<double>& shares) {
  Map per_class, total;
  for (std::size_t i = 0; i < suite.classes.size(); ++i) {
    const scenario::UserClass& c = suite.classes[i];
    per_class.emplace_back(
        c.name, Map{{"ratio", shares[i]}, {"tasks", ratio_tree(ratio_nodes(c.root, false, 1.0))}});
    total.emplace_back(c.name, Map{{"ratio", shares[i]},
                                   {"tasks", ratio_tree(ratio_nodes(c.root, true, shares[i]))}});
  }
  return python_json(Map{{"per_class", std::move(per_class)}, {"total", std::move(total)}}) + "\n";
}

std::optional<std::string> select_classes(scenario::Suite& suite,
                                          const std::vector<std::string>& names) {
  if (names.empty()) {
    std::erase_if(suite.classes, [](const scenario::UserClass& c) { return c.optional; });
    if (suite.classes.empty()) {
      return fmt::format(
          "{}: every user class is optional: name the ones to run (arrload -l -f {} "
          "lists them)",
          suite.file, suite.file);
    }
    return std::nullopt;
  }
  std::set<std::string> wanted(names.begin(), names.end());
  std::string unknown;
  for (const std::string& n : names) {
    const bool found = std::any_of(suite.classes.begin(), suite.classes.end(),
                                   [&](const scenario::UserClass& c) { return c.name == n; });
    if (!found) unknown += (unknown.empty() ? "'" : ", '") + n + "'";
  }
  if (!unknown.empty()) {
    std::string available;
    for (const scenario::UserClass& c : suite.classes) {
      available += (available.empty() ? "" : ", ") + c.name;
    }
    return fmt::format("{}: no user class {} (its classes: {}; arrload -l -f {} lists them)",
                       suite.file, unknown, available, suite.file);
  }
  std::erase_if(suite.classes, [&](const scenario::UserClass& c) { return !wanted.count(c.name); });
  return std::nullopt;
}

std::optional<std::string> python_locustfile_error(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  bool python = fs::path(path).extension() == ".py";
  if (!python && fs::is_directory(path, ec)) {
    bool any_py = false, any_yaml = false;
    for (const auto& e : fs::directory_iterator(path, ec)) {
      const auto ext = e.path().extension();
      any_py |= ext == ".py";
      any_yaml |= ext == ".yaml" || ext == ".yml";
    }
    python = any_py && !any_yaml;
  }
  if (!python) return std::nullopt;
  return fmt::format(
      "{}: a Python locustfile; arrload runs YAML scenarios (a user class per Locust User, "
      "tasks, weights, tags, wait times, on_start/on_stop, load shapes). "
      "docs/coming-from-locust.md "
      "maps each Locust construct to its YAML form; docs/scenario-format.md has the whole format",
      path);
}

}  // namespace arrload::cli
