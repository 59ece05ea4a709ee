#pragma once
// The scenario model: what a load test does, independent of files, sockets and threads.
// Mirrors Locust's model: a Suite has UserClasses; a UserClass has a WaitTime and a TaskGroup;
// a TaskGroup picks Tasks by weight (or runs them in order); a Task is a list of Requests, a
// nested TaskGroup the user stays in (Locust's TaskSet), or an interrupt out of the group.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scenario/template.h"

namespace arrload::scenario {

using std::chrono::microseconds;

// Where something was written, for error messages: "suite.yaml:12".
struct SourceLocation {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
};

struct WaitTime {
  enum class Kind { kNone, kBetween, kConstant, kConstantPacing, kConstantThroughput };
  Kind kind = Kind::kNone;
  double a = 0;  // seconds: min for between, the constant, the pacing; tasks/s for throughput
  double b = 0;  // seconds: max for between

  // How long to wait after a task that took TASK_SECONDS, given a uniform random U in [0, 1).
  // between: a + U*(b-a); constant: a; constant_pacing: max(0, a - task_seconds);
  // constant_throughput(r): max(0, 1/r - task_seconds); none: 0.
  double seconds_after(double task_seconds, double u) const;
};

// Allowed statuses. Empty means Locust's default: any status < 400 succeeds.
struct StatusSet {
  std::vector<std::pair<int, int>> ranges;  // inclusive [lo, hi]
  bool allows(int status) const;
};

// Take a value from a JSON response body into a per-user variable.
struct Extraction {
  int slot = 0;           // index into the user's variables
  std::string var;        // variable name, for messages
  std::string json_path;  // "$.series[0].id", "$.series[*].id" (random element), "$.id"
};

struct Request {
  std::string method = "GET";  // upper case
  Template path;               // path and query string, e.g. "/api/v1/shows/{{ id }}"
  std::vector<std::pair<std::string, Template>> headers;
  std::optional<Template> body;         // rendered body text
  std::string content_type;             // set when body is present ("application/json" for json:)
  std::string name;                     // stats row name; empty = the rendered path
  std::optional<microseconds> timeout;  // empty = the suite default
  StatusSet expect;
  std::vector<Extraction> extract;
  SourceLocation where;
};

struct TaskGroup;

struct Task {
  enum class Kind { kRequests, kGroup, kInterrupt };
  Kind kind = Kind::kRequests;
  std::string name;
  int weight = 1;                    // >= 1; ignored in sequential groups
  std::vector<std::string> tags;     // including tags inherited from enclosing groups
  std::vector<Request> requests;     // kRequests: run in order
  std::shared_ptr<TaskGroup> group;  // kGroup: the user enters it and stays until interrupted
  SourceLocation where;
};

struct TaskGroup {
  std::vector<Task> tasks;
  bool sequential = false;        // run tasks in order (Locust's SequentialTaskSet)
  std::optional<WaitTime> wait;   // overrides the user class's wait inside this group
  std::vector<Request> on_start;  // run when the user enters the group
  std::vector<Request> on_stop;   // run when the user leaves it
};

struct UserClass {
  std::string name;
  int weight = 1;                  // >= 0
  std::optional<int> fixed_count;  // Locust's fixed_count: exactly this many users
  WaitTime wait;
  TaskGroup root;    // the user's tasks, on_start and on_stop
  std::string host;  // overrides the suite host when non-empty
  SourceLocation where;
};

struct Suite {
  std::string file;  // the scenario file it came from
  std::string host;  // default target, env vars already substituted
  microseconds default_timeout{std::chrono::seconds(60)};
  std::vector<UserClass> classes;
  std::vector<std::string> var_names;  // per-user variable slots, index = slot
};

// Keeps only tasks that carry one of INCLUDE (when non-empty) and none of EXCLUDE, like Locust's
// -T/-E. Groups left empty are removed; user classes left without tasks are removed.
void filter_tags(Suite& suite, const std::vector<std::string>& include,
                 const std::vector<std::string>& exclude);

}  // namespace arrload::scenario
