#pragma once
// What `arrload run` answers without sending load, with Locust's flags and output: the user
// classes (-l), the task ratios (--show-task-ratio, --show-task-ratio-json), and the choice of
// classes given by name on the command line. Internal to cli/.
#include <optional>
#include <string>
#include <vector>

#include "scenario/model.h"

namespace arrload::cli {

// `-l`: "Available Users:" then one indented class name a line, as Locust prints them.
std::string class_list(const scenario::Suite& suite);

// How Locust spreads USERS users over SUITE's classes for --show-task-ratio: fixed_count classes
// get their count, the others round(weight / weights * the rest); USERS = 0 means the weights'
// sum (1 when a class has a fixed count). Each class's share of the users so placed, in suite
// order.
std::vector<double> class_shares(const scenario::Suite& suite, int users);

// `--show-task-ratio`: Locust's two tables ("Task ratio per User class", "Total task ratio"),
// percentages indented by nesting. SHARES: class_shares().
std::string task_ratio_text(const scenario::Suite& suite, const std::vector<double>& shares);

// `--show-task-ratio-json`: {"per_class": {Class: {"ratio", "tasks": {Task: {"ratio",
// "tasks"?}}}}, "total": ...} with Locust's indent; per class a nested task's ratio is its share
// of its group's picks, in "total" its share of all picks.
std::string task_ratio_json(const scenario::Suite& suite, const std::vector<double>& shares);

// Keeps only the classes NAMES lists (Locust's positional UserClass arguments); an empty NAMES
// keeps all but the optional ones. Returns the error to print (naming the unknown classes and the
// ones available), or nullopt.
std::optional<std::string> select_classes(scenario::Suite& suite,
                                          const std::vector<std::string>& names);

// When PATH is a Python locustfile (or a directory holding only .py files), the message that
// says arrload reads YAML scenarios and where the mapping from Locust is; nullopt otherwise.
std::optional<std::string> python_locustfile_error(const std::string& path);

}  // namespace arrload::cli
