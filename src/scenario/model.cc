#include "scenario/model.h"

#include <algorithm>

namespace arrload::scenario {

double WaitTime::seconds_after(double task_seconds, double u) const {
  switch (kind) {
    case Kind::kNone:
      return 0;
    case Kind::kBetween:
      return a + u * (b - a);
    case Kind::kConstant:
      return a;
    case Kind::kConstantPacing:
      return std::max(0.0, a - task_seconds);
    case Kind::kConstantThroughput:
      return a > 0 ? std::max(0.0, 1.0 / a - task_seconds) : 0;
  }
  return 0;
}

bool StatusSet::allows(int status) const {
  // Status 0 means no response arrived; it is never a success, whatever the ranges say.
  if (ranges.empty()) return status >= 100 && status < 400;
  return std::any_of(ranges.begin(), ranges.end(),
                     [status](const auto& r) { return status >= r.first && status <= r.second; });
}

bool Request::needs_body() const {
  if (!checks.empty() || !body_contains.empty() || !body_matches.empty()) return true;
  return std::any_of(extract.begin(), extract.end(),
                     [](const Extraction& x) { return x.source != Extraction::Source::kHeader; });
}

microseconds Shape::total() const {
  microseconds sum{0};
  for (const ShapeStage& s : stages) sum += s.duration;
  return sum;
}

double Arrival::peak_rate() const {
  double peak = stages.empty() ? rate : start_rate;
  for (const ArrivalStage& s : stages) peak = std::max(peak, s.rate);
  return peak;
}

std::optional<microseconds> Arrival::duration() const {
  if (stages.empty()) return std::nullopt;
  microseconds sum{0};
  for (const ArrivalStage& s : stages) sum += s.duration;
  return sum;
}

const Shape* Suite::find_shape(const std::string& shape_name) const {
  for (const Shape& s : shapes) {
    if (s.name == shape_name) return &s;
  }
  return nullptr;
}

const Profile* Suite::find_profile(const std::string& profile_name) const {
  for (const Profile& p : profiles) {
    if (p.name == profile_name) return &p;
  }
  return nullptr;
}

namespace {

bool has_any(const std::vector<std::string>& tags, const std::vector<std::string>& wanted) {
  return std::any_of(tags.begin(), tags.end(), [&](const std::string& t) {
    return std::find(wanted.begin(), wanted.end(), t) != wanted.end();
  });
}

bool has_real_task(const TaskGroup& group) {
  return std::any_of(group.tasks.begin(), group.tasks.end(),
                     [](const Task& t) { return t.kind != Task::Kind::kInterrupt; });
}

void filter_group(TaskGroup& group, const std::vector<std::string>& include,
                  const std::vector<std::string>& exclude, bool included);

// Whether TASK survives; INCLUDED: an enclosing group already matched the include tags.
bool keep_task(Task& task, const std::vector<std::string>& include,
               const std::vector<std::string>& exclude, bool included) {
  if (has_any(task.tags, exclude)) return false;
  // Interrupts carry no requests; dropping one would trap users in its group forever (a Locust
  // pitfall with -T), so they stay whenever their group stays.
  if (task.kind == Task::Kind::kInterrupt) return true;
  bool matched = included || include.empty() || has_any(task.tags, include);
  if (task.kind != Task::Kind::kGroup) return matched;
  // Copy before editing: a copied Suite shares its groups with the original.
  task.group = std::make_shared<TaskGroup>(*task.group);
  filter_group(*task.group, include, exclude, matched);
  return has_real_task(*task.group);
}

void filter_group(TaskGroup& group, const std::vector<std::string>& include,
                  const std::vector<std::string>& exclude, bool included) {
  std::vector<Task> kept;
  for (Task& task : group.tasks) {
    if (keep_task(task, include, exclude, included)) kept.push_back(std::move(task));
  }
  group.tasks = std::move(kept);
}

}  // namespace

void filter_tags(Suite& suite, const std::vector<std::string>& include,
                 const std::vector<std::string>& exclude) {
  if (include.empty() && exclude.empty()) return;
  for (UserClass& user : suite.classes) filter_group(user.root, include, exclude, false);
  std::erase_if(suite.classes, [](const UserClass& user) { return !has_real_task(user.root); });
}

std::vector<TaskShare> task_shares(const TaskGroup& group, double parent) {
  double total = 0;
  for (const Task& t : group.tasks) total += group.sequential ? 1 : t.weight;
  std::vector<TaskShare> out;
  if (total <= 0) return out;
  for (const Task& t : group.tasks) {
    const double ratio = parent * (group.sequential ? 1 : t.weight) / total;
    auto same =
        std::find_if(out.begin(), out.end(), [&](const TaskShare& s) { return s.name == t.name; });
    if (same == out.end()) {
      out.push_back(TaskShare{t.name, 0, {}});
      same = out.end() - 1;
    }
    same->ratio += ratio;
    if (t.kind == Task::Kind::kGroup && t.group) {
      for (TaskShare& sub : task_shares(*t.group, ratio)) same->tasks.push_back(std::move(sub));
    }
  }
  return out;
}

}  // namespace arrload::scenario
