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

#include "scenario/pattern.h"
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

// Take a value from the response into a per-user variable: from the JSON body, a header, or the
// body by a regular expression.
struct Extraction {
  enum class Source { kJson, kHeader, kRegex };
  int slot = 0;     // index into the user's variables
  std::string var;  // variable name, for messages
  Source source = Source::kJson;
  std::string json_path;         // kJson: "$.series[0].id", "$.series[*].id" (random), "$.id"
  std::string header;            // kHeader: the header's name, as written
  std::optional<Pattern> regex;  // kRegex: the first capture group (or the whole match)
};

// A check on a response header: it must be present and, when VALUES is non-empty, equal one of
// them; parameters after ';' are ignored unless the value names some ("application/json"
// matches "application/json; charset=utf-8").
struct HeaderCheck {
  std::string name;  // as written; compared without case
  std::vector<std::string> values;
};

// A check on the response body: the value at PATH must exist and, when VALUES is non-empty, equal
// one of them (compared as extract_json returns them: strings unquoted, numbers as JSON text).
struct BodyCheck {
  std::string json_path;
  std::vector<std::string> values;
};

// A WebSocket step. The user holds one WebSocket connection at a time (ws:// or wss:// from the
// host's scheme); messages that arrive while nobody awaits them are recorded as their own samples.
struct WsStep {
  enum class Kind { kConnect, kSend, kListen, kClose };
  Kind kind = Kind::kConnect;
  // connect: the sample ends at the first message whose JSON "type" is this (empty: the first
  // message, or the handshake when the server sends nothing); send: the round trip ends at the
  // first message of this type (empty: when the frame is written).
  std::string await_type;
  microseconds listen{0};  // listen: how long to read before the next step
};

// One step of a task: an HTTP request, or a WebSocket step when `ws` is set (method "WS"; path is
// the connect path, body the text to send).
struct Request {
  std::string method = "GET";  // upper case; "WS" for WebSocket steps
  Template path;               // path and query string, e.g. "/api/v1/shows/{{ id }}"
  std::vector<std::pair<std::string, Template>> headers;
  // Cookies put in the user's jar (for the user's host, path /) before the request is sent.
  std::vector<std::pair<std::string, Template>> set_cookies;
  std::optional<Template> body;         // rendered body text
  std::string content_type;             // set when body is present ("application/json" for json:)
  std::string name;                     // stats row name; empty = the rendered path
  std::optional<microseconds> timeout;  // empty = the suite default
  StatusSet expect;
  std::vector<BodyCheck> checks;           // all must hold (after the status check)
  std::vector<HeaderCheck> header_checks;  // all must hold (before the body checks)
  std::vector<std::string> body_contains;  // each must appear in the body
  std::vector<Pattern> body_matches;       // each must find a match in the body
  std::vector<Extraction> extract;
  // Lower-case names of the response headers header_checks and extract read; empty: none.
  std::vector<std::string> response_headers;
  std::string
      category;  // budget category (health, read, write, slow, websocket, ...); may be empty
  std::optional<WsStep> ws;
  // Redirects followed before the response counts (follow_redirects: false makes it 0: the 3xx
  // is the response); one more is a failed request, "too many redirects (N)".
  int max_redirects = 10;
  SourceLocation where;

  // Whether a check or an extraction reads the body.
  bool needs_body() const;
};

struct TaskGroup;

struct Task {
  enum class Kind { kRequests, kGroup, kInterrupt };
  Kind kind = Kind::kRequests;
  std::string name;
  int weight = 1;                    // >= 1; ignored in sequential groups
  std::vector<std::string> tags;     // including tags inherited from enclosing groups
  std::string category;              // budget category, inherited from groups and the class
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

// One stage of an arrival-rate class: over DURATION the rate moves linearly from the previous
// stage's rate (or the start rate) to RATE.
struct ArrivalStage {
  microseconds duration{0};
  double rate = 0;  // iterations per second at the end of the stage
  SourceLocation where;
};

// An open-model (arrival-rate) user class, k6's constant- and ramping-arrival-rate: iterations
// (one task each, picked as a closed user picks its next task) start on a schedule, whatever the
// response times, each on a free user of the class's pool; a start that finds no free user while
// the pool is at its maximum is dropped (counted, never delayed).
struct Arrival {
  double rate = 0;        // iterations per second, when STAGES is empty
  double start_rate = 0;  // with STAGES: the rate at the start
  std::vector<ArrivalStage> stages;
  int pool = 1;      // users started before the first iteration
  int max_pool = 1;  // the pool grows to this when no user is free (>= pool)
  SourceLocation where;

  // The highest rate the schedule reaches (iterations per second).
  double peak_rate() const;
  // The stages' total; nullopt for a constant rate (it runs until the run ends).
  std::optional<microseconds> duration() const;
};

struct UserClass {
  std::string name;
  int weight = 1;                  // >= 0
  std::optional<int> fixed_count;  // Locust's fixed_count: exactly this many users
  WaitTime wait;
  TaskGroup root;       // the user's tasks, on_start and on_stop
  std::string host;     // overrides the suite host when non-empty
  bool cookies = true;  // each user keeps a cookie jar (Locust's HttpUser does); false: none
  // Set for an open-model class: its users come from this schedule's pool, not from -u, weights
  // or shapes; its tasks are leaf tasks and it has no wait.
  std::optional<Arrival> arrival;
  // Runs only when named: by a profile's classes: or the command line's class names (so a
  // scenario can hold, say, an open-model variant that its other profiles leave out).
  bool optional = false;
  SourceLocation where;
};

// One stage of a load shape: for DURATION, aim at USERS, started or stopped at SPAWN_RATE per
// second; CLASSES (when non-empty) restricts the stage to those user classes.
struct ShapeStage {
  microseconds duration{0};
  int users = 0;
  double spawn_rate = 1;
  std::vector<std::string> classes;
  SourceLocation where;
};

// Locust's LoadTestShape as data: stages run one after another; the run ends after the last.
struct Shape {
  std::string name;
  std::vector<ShapeStage> stages;
  SourceLocation where;
  microseconds total() const;
};

// A named set of run settings (--profile NAME). Empty fields leave the command line's value.
struct Profile {
  std::string name;
  std::string description;
  std::optional<int> users;
  std::optional<double> spawn_rate;
  std::optional<microseconds> run_time;
  std::string shape;                      // a shape's name; its stages decide users over time
  std::vector<std::string> tags;          // like -T
  std::vector<std::string> exclude_tags;  // like -E
  std::map<std::string, int> weights;     // class name -> weight, overriding the class's
  // The arrival-rate classes' peak rates scaled to add up to this (like --arrival-rate).
  std::optional<double> arrival_rate;
  // The user classes to run (like the command line's class names); empty: every class that is
  // not optional.
  std::vector<std::string> classes;
  SourceLocation where;
};

struct Suite {
  std::string file;  // the scenario file it came from
  std::string host;  // default target, env vars already substituted
  // The target's health check (a path such as /health, or a URL): pre-flight before the load,
  // recovery probe after it. Empty: none unless --health gives one.
  std::string health;
  microseconds default_timeout{std::chrono::seconds(60)};
  std::vector<UserClass> classes;
  std::vector<std::string> var_names;  // per-user variable slots, index = slot
  std::vector<Shape> shapes;
  std::vector<Profile> profiles;

  const Shape* find_shape(const std::string& name) const;
  const Profile* find_profile(const std::string& name) const;
};

// Keeps only tasks that carry one of INCLUDE (when non-empty) and none of EXCLUDE, like Locust's
// -T/-E. Groups left empty are removed; user classes left without tasks are removed.
void filter_tags(Suite& suite, const std::vector<std::string>& include,
                 const std::vector<std::string>& exclude);

// How often each task of a group is picked, as Locust's /tasks reports it: a task's share of
// its group's picks (weight / the weights' sum; 1/n each in a sequential group), times PARENT;
// a nested group lists its own tasks with their shares times the group's. Tasks of the same name
// are merged.
struct TaskShare {
  std::string name;
  double ratio = 0;
  std::vector<TaskShare> tasks;  // a group's tasks
};
std::vector<TaskShare> task_shares(const TaskGroup& group, double parent = 1.0);

}  // namespace arrload::scenario
