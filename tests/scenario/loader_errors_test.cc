// Every kind of mistake in a scenario file must name the file, line and field and say what is
// wrong. Each case is a whole file; lines are counted from 1.
#include <cstdlib>

#include <gtest/gtest.h>

#include "scenario/loader.h"

namespace arrload::scenario {
namespace {

struct BadCase {
  const char* yaml;
  int line;
  const char* field;
  const char* message;  // a substring of what()
};

// How a case is named in test listings (ctest): its field and line.
void PrintTo(const BadCase& c, std::ostream* os) {
  *os << (*c.field != 0 ? c.field : "(document)") << " at line " << c.line;
}

// A user class U whose task list starts on line 4.
#define U "users:\n  - name: U\n    tasks:\n"

const BadCase kCases[] = {
    // Syntax and structure.
    // Arrival-rate classes.
    {"users:\n  - name: A\n    arrival: {rate: 10}\n    tasks:\n      - GET /x\n", 3,
     "users[0].arrival", "missing required key 'pool'"},
    {"users:\n  - name: A\n    arrival: {pool: 2}\n    tasks:\n      - GET /x\n", 3,
     "users[0].arrival", "needs rate: (iterations per second) or stages:"},
    {"users:\n  - name: A\n    arrival: {rate: 10/d, pool: 2}\n    tasks:\n      - GET /x\n", 3,
     "users[0].arrival.rate", "unknown rate unit '/d'"},
    {"users:\n  - name: A\n    arrival: {rate: fast, pool: 2}\n    tasks:\n      - GET /x\n", 3,
     "users[0].arrival.rate", "'fast' is not a rate"},
    {"users:\n  - name: A\n    arrival: {rate: 0, pool: 2}\n    tasks:\n      - GET /x\n", 3,
     "users[0].arrival.rate", "greater than 0"},
    {"users:\n  - name: A\n    arrival: {rate: 5, pool: 4, max_pool: 2}\n    tasks:\n"
     "      - GET /x\n",
     3, "users[0].arrival.max_pool", "at least the pool (4)"},
    {"users:\n  - name: A\n    arrival: {rate: 5, stages: [], pool: 1}\n    tasks:\n"
     "      - GET /x\n",
     3, "users[0].arrival.rate", "not both"},
    {"users:\n  - name: A\n    arrival:\n      stages: [{duration: 5s, rate: 0}]\n      pool: 1\n"
     "    tasks:\n      - GET /x\n",
     4, "users[0].arrival.stages", "every rate is 0"},
    {"users:\n  - name: A\n    arrival:\n      stages: [{duration: 5s}]\n      pool: 1\n"
     "    tasks:\n      - GET /x\n",
     4, "users[0].arrival.stages[0]", "missing required key 'rate'"},
    {"users:\n  - name: A\n    wait: constant(1)\n    arrival: {rate: 5, pool: 1}\n    tasks:\n"
     "      - GET /x\n",
     3, "users[0].wait", "an arrival-rate class has no wait"},
    {"users:\n  - name: A\n    arrival: {rate: 5, pool: 1}\n    tasks:\n      - name: set\n"
     "        tasks:\n          - GET /x\n",
     5, "users[0].tasks", "is a task set; an arrival-rate class starts one task per iteration"},
    {"users: [a, b\nhost: x\n", 2, "", "YAML syntax error"},
    {"", 1, "", "the file is empty"},
    {"- a\n- b\n", 1, "", "expected a mapping with host:"},
    {"host: x\n", 1, "", "missing required key 'users'"},
    {"users: []\n", 1, "users", "needs at least one user class"},
    {"users: {a: 1}\n", 1, "users", "expected a list of user classes, got a mapping"},
    {"user:\n  - name: U\n", 1, "user", "unknown key 'user' (did you mean 'users'?"},
    {"hosts: x\n" U "      - GET /x\n", 1, "hosts", "did you mean 'host'?"},
    {"zzz: x\n" U "      - GET /x\n", 1, "zzz",
     "unknown key 'zzz' (allowed: host, health, timeout"},
    {"health: health\n" U "      - GET /x\n", 1, "health", "a path starting with '/'"},
    {"timeout: 10x\n" U "      - GET /x\n", 1, "timeout", "bad duration '10x'"},
    {"timeout: 0s\n" U "      - GET /x\n", 1, "timeout", "greater than 0"},
    // User classes.
    {"users:\n  - weight: 1\n    tasks: [/x]\n", 2, "users[0]", "missing required key 'name'"},
    {"users:\n  - name: U\n", 2, "users[0]", "missing required key 'tasks'"},
    {"users:\n  - name: U\n    tasks: []\n", 3, "users[0].tasks", "needs at least one task"},
    {"users:\n  - name: U\n    weight: -1\n    tasks: [/x]\n", 3, "users[0].weight",
     "weight must be 0 to"},
    {"users:\n  - name: U\n    weight: lots\n    tasks: [/x]\n", 3, "users[0].weight",
     "expected a whole number, got 'lots'"},
    {"users:\n  - name: U\n    fixed_count: -2\n    tasks: [/x]\n", 3, "users[0].fixed_count",
     "0 to"},
    {"users:\n  - name: U\n    weight: 1\n    weight: 2\n    tasks: [/x]\n", 4, "users[0].weight",
     "duplicate key 'weight' (first given at line 3)"},
    {"users:\n  - name: U\n    tasks: [/x]\n  - name: U\n    tasks: [/y]\n", 4, "users[1].name",
     "duplicate user class 'U'"},
    {"users:\n  - name: U\n    sequential: maybe\n    tasks: [/x]\n", 3, "users[0].sequential",
     "expected true or false"},
    {"users:\n  - name: U\n    host: ${ARRLOAD_LE_UNSET}\n    tasks: [/x]\n", 3, "users[0].host",
     "environment variable ARRLOAD_LE_UNSET is not set"},
    // Wait times.
    {"users:\n  - name: U\n    wait: between(5, 2)\n    tasks: [/x]\n", 3, "users[0].wait",
     "min must not be greater than max"},
    {"users:\n  - name: U\n    wait: sometimes\n    tasks: [/x]\n", 3, "users[0].wait",
     "bad wait 'sometimes' (expected between(min, max)"},
    {"users:\n  - name: U\n    wait: between(1)\n    tasks: [/x]\n", 3, "users[0].wait",
     "between takes 2 arguments, got 1"},
    {"users:\n  - name: U\n    wait: randomly(1)\n    tasks: [/x]\n", 3, "users[0].wait",
     "unknown wait 'randomly'"},
    {"users:\n  - name: U\n    wait: constant(-1)\n    tasks: [/x]\n", 3, "users[0].wait",
     "bad wait argument '-1'"},
    {"users:\n  - name: U\n    wait: {constant_throughput: 0}\n    tasks: [/x]\n", 3,
     "users[0].wait.constant_throughput", "tasks per second > 0"},
    {"users:\n  - name: U\n    wait: {between: 1, constant: 2}\n    tasks: [/x]\n", 3,
     "users[0].wait", "expected one wait function"},
    // Tasks.
    {U "      - name: t\n        wieght: 2\n        request: /x\n", 5, "users[0].tasks[0].wieght",
     "did you mean 'weight'?"},
    {U "      - {request: /x, weight: 0}\n", 4, "users[0].tasks[0].weight", "weight must be 1 to"},
    {U "      - {name: t}\n", 4, "users[0].tasks[0]", "needs one of request:, requests:"},
    {U "      - {request: /x, requests: [/y]}\n", 4, "users[0].tasks[0].requests",
     "only one of request:"},
    {U "      - {requests: []}\n", 4, "users[0].tasks[0].requests", "at least one request"},
    {U "      - {request: /x, wait: constant(1)}\n", 4, "users[0].tasks[0].wait",
     "only a group task"},
    {U "      - {interrupt: true}\n", 4, "users[0].tasks[0].interrupt", "nested group"},
    {U "      - tasks:\n          - {interrupt: true}\n", 5, "users[0].tasks[0].tasks",
     "a group needs at least one task besides interrupts"},
    {U "      - tasks: []\n", 4, "users[0].tasks[0].tasks", "a group needs at least one task"},
    {U "      - tasks: [/x, {interrupt: false}]\n", 4, "users[0].tasks[0].tasks[1].interrupt",
     "must be true"},
    {U "      - tasks: [/x]\n        wait: nap\n", 5, "users[0].tasks[0].wait", "bad wait 'nap'"},
    {U "      - {request: /x, tags: [ok, \"\"]}\n", 4, "users[0].tasks[0].tags[1]",
     "must not be empty"},
    {U "      - 42\n", 4, "users[0].tasks[0]", "expected 'METHOD /path'"},
    // Requests.
    {U "      - FETCH /x\n", 4, "users[0].tasks[0]", "unknown method 'FETCH' (allowed: GET"},
    {U "      - GET health\n", 4, "users[0].tasks[0]", "the path must start with '/'"},
    {U "      - request: {path: /a b}\n", 4, "users[0].tasks[0].request.path",
     "cannot contain spaces"},
    {U "      - request: {method: GET}\n", 4, "users[0].tasks[0].request",
     "missing required key 'path'"},
    {U "      - request: {path: /x, bdy: x}\n", 4, "users[0].tasks[0].request.bdy",
     "did you mean 'body'?"},
    {U "      - request:\n          path: /x\n          json: {a: 1}\n          body: b\n", 7,
     "users[0].tasks[0].request.body", "give one of json:, body: or form:/files:"},
    {U "      - request: {path: /x, content_type: a/b}\n", 4,
     "users[0].tasks[0].request.content_type", "needs a body:, json: or form:"},
    {U "      - request: {method: POST, path: /x, json: {a: 1}, form: {a: 1}}\n", 4,
     "users[0].tasks[0].request.json", "give one of json:, body: or form:/files:"},
    {U "      - request: {method: POST, path: /x, form: {a: {b: 1}}}\n", 4,
     "users[0].tasks[0].request.form.a", "a form value must be a plain value"},
    {U "      - request: {method: POST, path: /x, files: {f: no_such_file.bin}}\n", 4,
     "users[0].tasks[0].request.files.f", "cannot read file 'no_such_file.bin'"},
    {U "      - request: {method: POST, path: /x, files: {f: x}, content_type: a/b}\n", 4,
     "users[0].tasks[0].request.content_type", "content_type cannot change that"},
    {U "      - request: {path: /x, headers: {Content-Type: a/b}}\n", 4,
     "users[0].tasks[0].request.headers.Content-Type", "content_type:"},
    {U "      - request: {path: /x, timeout: soon}\n", 4, "users[0].tasks[0].request.timeout",
     "bad duration 'soon'"},
    {U "      - request:\n          path: /x\n          expect: [200, 6xx]\n", 6,
     "users[0].tasks[0].request.expect[1]", "bad status '6xx'"},
    {U "      - request: {path: /x, expect: 300-200}\n", 4, "users[0].tasks[0].request.expect",
     "bad status '300-200'"},
    {U "      - request: {path: /x, expect: 42}\n", 4, "users[0].tasks[0].request.expect",
     "within 100-599"},
    {U "      - request: {path: /x, expect: []}\n", 4, "users[0].tasks[0].request.expect",
     "at least one status"},
    {U "      - request: {path: /x, set_cookies: {\"a b\": 1}}\n", 4,
     "users[0].tasks[0].request.set_cookies.a b", "invalid cookie name 'a b'"},
    {U "      - request: {path: \"/x{{ cookie() }}\"}\n", 4, "users[0].tasks[0].request.path",
     "cookie() needs a cookie name"},
    {U "      - request: {path: /x, max_redirects: -1}\n", 4,
     "users[0].tasks[0].request.max_redirects", "0 to 1000"},
    {U "      - request: {path: /x, follow_redirects: false, max_redirects: 3}\n", 4,
     "users[0].tasks[0].request.max_redirects", "needs follow_redirects: true"},
    {U "      - request: {path: /x, follow_redirects: maybe}\n", 4,
     "users[0].tasks[0].request.follow_redirects", "expected true or false"},
    {"users:\n  - name: U\n    cookies: sometimes\n    tasks: [GET /x]\n", 3, "users[0].cookies",
     "expected true or false, got 'sometimes'"},
    {U "      - request: {path: /x, query: [a]}\n", 4, "users[0].tasks[0].request.query",
     "expected a mapping of query parameters"},
    {U "      - request:\n          path: /x\n          json: {a: {{ b }}}\n", 6,
     "users[0].tasks[0].request.json.a", "quote values that start with '{{'"},
    // Templates, variables and JSON paths.
    {U "      - GET /x/{{ counter\n", 4, "users[0].tasks[0]", "unclosed '{{'"},
    {U "      - request: {path: \"/x/{{ rand(1, 2) }}\"}\n", 4, "users[0].tasks[0].request.path",
     "unknown function 'rand'"},
    {U "      - request: {path: /x, query: {n: \"{{ randint(9, 1) }}\"}}\n", 4,
     "users[0].tasks[0].request.query.n", "lo must not be greater than hi"},
    {"data:\n  queries: [a]\n" U "      - request:\n          path: /x\n          json: {q: "
     "\"{{ choice(movies) }}\"}\n",
     8, "users[0].tasks[0].request.json.q", "unknown data list 'movies' (declared lists: queries)"},
    {U "      - request: /a\n      - GET /shows/{{ show_id }}\n", 5, "users[0].tasks[1]",
     "unknown variable 'show_id': no request extracts it"},
    {U "      - request:\n          path: /x\n          headers: {X-Id: \"{{ rid }}\"}\n", 6,
     "users[0].tasks[0].request.headers.X-Id", "unknown variable 'rid'"},
    {U "      - request: {path: /x, extract: {id: \"series[0]\"}}\n", 4,
     "users[0].tasks[0].request.extract.id", "bad JSON path 'series[0]'"},
    {U "      - request: {path: /x, extract: {counter: $.id}}\n", 4,
     "users[0].tasks[0].request.extract.counter", "built-in placeholder"},
    {U "      - request: {path: /x, extract: {9x: $.id}}\n", 4,
     "users[0].tasks[0].request.extract.9x", "bad variable name"},
    // Data lists.
    {"data:\n  queries: []\n" U "      - /x\n", 2, "data.queries", "at least one value"},
    {"data:\n  queries: abc\n" U "      - /x\n", 2, "data.queries", "expected a list of values"},
    {"data:\n  \"a b\": [x]\n" U "      - /x\n", 2, "data.a b", "bad list name"},
    // Categories and body checks.
    {U "      - {request: /x, category: \"re ad\"}\n", 4, "users[0].tasks[0].category",
     "bad category 're ad'"},
    {U "      - request: {path: /x, check: [a]}\n", 4, "users[0].tasks[0].request.check",
     "a mapping of JSON paths"},
    {U "      - request: {path: /x, check: {status: ok}}\n", 4,
     "users[0].tasks[0].request.check.status",
     "unknown check 'status' (a JSON path such as $.status, body_contains, body_matches or "
     "headers)"},
    {U "      - request: {path: /x, check: {$status: ok}}\n", 4,
     "users[0].tasks[0].request.check.$status", "bad JSON path '$status'"},
    {U "      - request: {path: /x, check: {body_matches: \"a(\"}}\n", 4,
     "users[0].tasks[0].request.check.body_matches", "bad regular expression 'a('"},
    {U "      - request: {path: /x, check: {body_contains: \"\"}}\n", 4,
     "users[0].tasks[0].request.check.body_contains", "must not be empty"},
    {U "      - request: {path: /x, check: {headers: [a]}}\n", 4,
     "users[0].tasks[0].request.check.headers", "a mapping of header names"},
    {U "      - request: {path: /x, extract: {a: {header: \"X Y\"}}}\n", 4,
     "users[0].tasks[0].request.extract.a.header", "invalid header name 'X Y'"},
    {U "      - request: {path: /x, extract: {a: {cookie: s}}}\n", 4,
     "users[0].tasks[0].request.extract.a.cookie", "unknown key 'cookie'"},
    {U "      - request: {path: /x, extract: {a: {regex: \"[\"}}}\n", 4,
     "users[0].tasks[0].request.extract.a.regex", "bad regular expression"},
    {U "      - request: {path: /x, check: {$.a: {b: 1}}}\n", 4,
     "users[0].tasks[0].request.check.$.a", "must be a plain value"},
    // WebSocket steps.
    {U "      - request: {ws: open, path: /ws}\n", 4, "users[0].tasks[0].request.ws",
     "unknown WebSocket step 'open' (expected connect, send, listen or close)"},
    {U "      - request: {ws: connect}\n", 4, "users[0].tasks[0].request",
     "missing required key 'path'"},
    {U "      - request: {ws: send, await: ack}\n", 4, "users[0].tasks[0].request",
     "needs the message as json: or body:"},
    {U "      - request: {ws: listen, duration: 0s}\n", 4, "users[0].tasks[0].request.duration",
     "greater than 0"},
    {U "      - request: {ws: close, path: /x}\n", 4, "users[0].tasks[0].request.path",
     "unknown key 'path'"},
    // Shapes and profiles.
    {"shapes: {s: []}\n" U "      - /x\n", 1, "shapes.s", "at least one stage"},
    {"shapes: {s: [{users: 5}]}\n" U "      - /x\n", 1, "shapes.s[0]",
     "missing required key 'duration'"},
    {"shapes: {s: [{duration: 1m, users: 5, spawn_rate: 0}]}\n" U "      - /x\n", 1,
     "shapes.s[0].spawn_rate", "greater than 0"},
    {"shapes: {s: [{duration: 1m, users: 5, classes: [V]}]}\n" U "      - /x\n", 1,
     "shapes.s[0].classes", "unknown user class 'V' (classes: U)"},
    {"profiles: {p: {users: 5, duration: 1m}}\n" U "      - /x\n", 1, "profiles.p.duration",
     "unknown key 'duration' (allowed: description, users"},
    {"profiles: {p: {shape: nope}}\n" U "      - /x\n", 1, "profiles.p.shape",
     "unknown shape 'nope' (no shapes: are declared)"},
    {"shapes: {s: [{duration: 1m, users: 5}]}\nprofiles: {p: {shape: s, users: 3}}\n" U
     "      - /x\n",
     2, "profiles.p.users", "takes its users and spawn rates from the shape"},
    {"profiles: {p: {weights: {V: 1}}}\n" U "      - /x\n", 1, "profiles.p.weights",
     "unknown user class 'V'"},
    {"profiles: {p: {users: -1}}\n" U "      - /x\n", 1, "profiles.p.users", "0 to"},
};

#undef U

class BadScenario : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadScenario, ReportsFileLineFieldAndMessage) {
  const BadCase& c = GetParam();
  ::unsetenv("ARRLOAD_LE_UNSET");
  try {
    load_suite_from_string(c.yaml, "bad.yaml");
    ADD_FAILURE() << "no error for:\n" << c.yaml;
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.file(), "bad.yaml");
    EXPECT_EQ(e.line(), c.line) << e.what();
    EXPECT_EQ(e.field(), c.field) << e.what();
    EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Table, BadScenario, ::testing::ValuesIn(kCases));

}  // namespace
}  // namespace arrload::scenario
