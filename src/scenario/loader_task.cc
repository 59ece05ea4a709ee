// Tasks, groups of tasks and wait times.
#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <fmt/format.h>

#include "core/duration.h"
#include "core/redact.h"
#include "scenario/loader_internal.h"

namespace arrload::scenario::detail {

namespace {

constexpr std::string_view kWaitHelp =
    "expected between(min, max), constant(s), constant_pacing(s), constant_throughput(tasks_per_s)"
    " or none";

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits "between(2, 5)" into the function name and its arguments.
bool split_call(std::string_view text, std::string& name, std::vector<std::string>& args) {
  std::size_t open = text.find('(');
  if (open == std::string_view::npos || text.back() != ')') return false;
  name = std::string(trim(text.substr(0, open)));
  std::string_view rest = text.substr(open + 1, text.size() - open - 2);
  while (!trim(rest).empty()) {
    std::size_t comma = rest.find(',');
    args.emplace_back(trim(rest.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return true;
}

double seconds_arg(const Field& field, const std::string& arg) {
  std::optional<std::chrono::microseconds> d = core::parse_duration(arg);
  if (!d)
    field.fail(fmt::format("bad wait argument '{}' (seconds, or a duration like 500ms)", arg));
  return static_cast<double>(d->count()) / 1e6;
}

WaitTime make_wait(const Field& field, const std::string& name,
                   const std::vector<std::string>& args) {
  auto need = [&](std::size_t n) {
    if (args.size() != n) {
      field.fail(fmt::format("{} takes {} argument{}, got {} ({})", name, n, n == 1 ? "" : "s",
                             args.size(), kWaitHelp));
    }
  };
  WaitTime w;
  if (name == "between") {
    need(2);
    w = {WaitTime::Kind::kBetween, seconds_arg(field, args[0]), seconds_arg(field, args[1])};
    if (w.a > w.b) field.fail("between(min, max): min must not be greater than max");
  } else if (name == "constant" || name == "constant_pacing") {
    need(1);
    auto kind = name == "constant" ? WaitTime::Kind::kConstant : WaitTime::Kind::kConstantPacing;
    w = {kind, seconds_arg(field, args[0]), 0};
  } else if (name == "constant_throughput") {
    need(1);
    char* end = nullptr;
    double rate = std::strtod(args[0].c_str(), &end);
    if (args[0].empty() || *end != '\0' || !(rate > 0) || rate > 1e9) {
      field.fail(fmt::format("constant_throughput needs tasks per second > 0, got '{}'", args[0]));
    }
    w = {WaitTime::Kind::kConstantThroughput, rate, 0};
  } else {
    field.fail(fmt::format("unknown wait '{}' ({})", name, kWaitHelp));
  }
  return w;
}

std::vector<std::string> load_tags(const Field& field, std::vector<std::string> tags) {
  std::vector<Field> items = field.is_list() ? field.items() : std::vector<Field>{field};
  for (const Field& item : items) {
    std::string tag = item.text();
    if (tag.empty()) item.fail("a tag must not be empty");
    if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
  }
  return tags;
}

// Which of the mutually exclusive task bodies FIELD has; fails unless exactly one.
std::string task_kind(const Field& field) {
  std::vector<std::string> found;
  for (const char* key : {"request", "requests", "tasks", "interrupt"}) {
    if (field.find(key)) found.emplace_back(key);
  }
  if (found.empty()) field.fail("a task needs one of request:, requests:, tasks: or interrupt:");
  if (found.size() > 1) {
    field.get(found[1], "")
        .fail(fmt::format(
            "a task has only one of request:, requests:, tasks: or interrupt: (this one "
            "also has {}:)",
            found[0]));
  }
  return found[0];
}

std::string default_name(const Task& task) {
  if (task.kind == Task::Kind::kInterrupt) return "interrupt";
  if (task.kind == Task::Kind::kGroup) return fmt::format("group (line {})", task.where.line);
  const Request& r = task.requests.front();
  // A path written with a key in its query shows in /tasks and --show-task-ratio: masked.
  return core::redact(r.method + " " + (r.name.empty() ? r.path.source() : r.name));
}

void apply_category(std::vector<Request>& requests, const std::string& category) {
  for (Request& r : requests) {
    if (r.category.empty()) r.category = category;
  }
}

Task load_task(const Field& field, LoadState& state, const Inherited& inherited, bool nested) {
  Task task;
  task.where = field.where();
  task.tags = inherited.tags;
  task.category = inherited.category;
  if (field.is_scalar()) {  // "GET /health": a one-request task with weight 1
    task.requests.push_back(load_request(field, state));
    apply_category(task.requests, task.category);
    task.name = default_name(task);
    return task;
  }
  field.expect_map("a task: a mapping with request:, requests:, tasks: or interrupt:");
  field.check_keys({"name", "weight", "tags", "category", "request", "requests", "tasks",
                    "interrupt", "wait", "sequential", "on_start", "on_stop"});
  std::string kind = task_kind(field);
  if (kind != "tasks") {
    for (const char* key : {"wait", "sequential", "on_start", "on_stop"}) {
      if (auto f = field.find(key)) f->fail("only a group task (one with tasks:) takes this key");
    }
  }
  if (auto f = field.find("weight")) {
    std::int64_t weight = f->integer();
    if (weight < 1 || weight > 1'000'000) f->fail("a task's weight must be 1 to 1000000");
    task.weight = static_cast<int>(weight);
  }
  if (auto f = field.find("tags")) task.tags = load_tags(*f, task.tags);
  if (auto f = field.find("category")) task.category = load_category(*f);
  if (kind == "request") {
    task.requests.push_back(load_request(field.get("request", ""), state));
  } else if (kind == "requests") {
    Field list = field.get("requests", "");
    task.requests = load_request_list(list, state);
    if (task.requests.empty()) list.fail("needs at least one request");
  } else if (kind == "tasks") {
    task.kind = Task::Kind::kGroup;
    task.group =
        std::make_shared<TaskGroup>(load_group(field, state, {task.tags, task.category}, true));
    if (auto f = field.find("wait")) task.group->wait = load_wait(*f);
  } else {
    Field f = field.get("interrupt", "");
    if (!nested) f.fail("only allowed among the tasks of a nested group (a task with tasks:)");
    if (!f.boolean()) f.fail("must be true (leave the task out otherwise)");
    task.kind = Task::Kind::kInterrupt;
  }
  apply_category(task.requests, task.category);
  if (auto f = field.find("name")) task.name = f->text();
  if (task.name.empty()) task.name = default_name(task);
  return task;
}

}  // namespace

WaitTime load_wait(const Field& field) {
  std::string name;
  std::vector<std::string> args;
  if (field.is_map()) {  // {between: [2, 5]} or {constant: 1}
    auto entries = field.entries();
    if (entries.size() != 1) field.fail(fmt::format("expected one wait function ({})", kWaitHelp));
    name = entries[0].first;
    const Field& value = entries[0].second;
    std::vector<Field> items = value.is_list() ? value.items() : std::vector<Field>{value};
    for (const Field& item : items) args.push_back(item.text());
    return make_wait(entries[0].second, name, args);
  }
  std::string text(trim(field.text()));
  if (text == "none") return WaitTime{};
  if (!split_call(text, name, args)) {
    field.fail(fmt::format("bad wait '{}' ({})", text, kWaitHelp));
  }
  return make_wait(field, name, args);
}

TaskGroup load_group(const Field& owner, LoadState& state, const Inherited& inherited,
                     bool nested) {
  TaskGroup group;
  Field tasks = owner.get("tasks", "the list of tasks");
  tasks.expect_list("a list of tasks");
  for (const Field& item : tasks.items()) {
    group.tasks.push_back(load_task(item, state, inherited, nested));
  }
  bool has_work = std::any_of(group.tasks.begin(), group.tasks.end(),
                              [](const Task& t) { return t.kind != Task::Kind::kInterrupt; });
  if (!has_work) {
    tasks.fail(nested ? "a group needs at least one task besides interrupts"
                      : "a user class needs at least one task");
  }
  if (auto f = owner.find("sequential")) group.sequential = f->boolean();
  if (auto f = owner.find("on_start")) group.on_start = load_request_list(*f, state);
  if (auto f = owner.find("on_stop")) group.on_stop = load_request_list(*f, state);
  apply_category(group.on_start, inherited.category);
  apply_category(group.on_stop, inherited.category);
  return group;
}

}  // namespace arrload::scenario::detail
