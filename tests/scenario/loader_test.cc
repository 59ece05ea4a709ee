#include "scenario/loader.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

namespace arrload::scenario {
namespace {

constexpr const char* kFull = R"(host: ${ARRLOAD_LT_UNSET:-http://localhost:8088}
timeout: 30s
data:
  queries: ["Breaking Bad", "The Matrix 1999", "Dune"]
users:
  - name: HealthCheckUser
    weight: 40
    fixed_count: 2
    wait: between(2, 5)
    tasks:
      - name: health
        weight: 5
        tags: [health, read]
        request: GET /health
      - GET /ping
  - name: BrowsingUser
    wait: {constant_pacing: 2}
    host: http://other:1
    sequential: true
    on_start: ["GET /health"]
    on_stop:
      - {method: delete, path: /session}
    tasks:
      - name: browse_then_detail
        requests:
          - path: /api/v1/shows/
            query: {page: 1, page_size: "{{ randint(1, 5) }}", q: "a b"}
            extract: {show_id: "$.series[*].id"}
            expect: [200, 2xx, "300-304"]
            timeout: 10s
          - path: /api/v1/shows/{{ show_id }}
            name: /api/v1/shows/[id]
            headers: {X-Request-ID: "{{ uuid }}"}
      - name: library
        weight: 2
        tags: [browsing]
        wait: constant(1)
        sequential: true
        on_start: [GET /api/v1/movies/]
        tasks:
          - request:
              method: POST
              path: /api/v1/requests/content
              json: {query: "{{ choice(queries) }}", user_id: "u{{ user_id }}", n: 3, ok: true,
                     none: null, list: [1.5, "x\"y"], quoted: "7"}
              extract: {request_id: $.id}
          - request: {path: "/api/v1/requests/{{ request_id }}/status", expect: 200}
            tags: [status]
          - {interrupt: true, weight: 1}
      - request: {method: PUT, path: /raw, body: "line {{ counter }}", content_type: text/csv}
)";

std::string render(const Template& t, const std::vector<std::string>& vars = {}) {
  core::Rng rng(3);
  RenderContext ctx;
  ctx.rng = &rng;
  ctx.user_id = 9;
  ctx.counter = 4;
  ctx.vars = &vars;
  return t.render(ctx);
}

TEST(Loader, LoadsTheFullExample) {
  ::unsetenv("ARRLOAD_LT_UNSET");
  Suite s = load_suite_from_string(kFull, "full.yaml");
  EXPECT_EQ(s.file, "full.yaml");
  EXPECT_EQ(s.host, "http://localhost:8088");
  EXPECT_EQ(s.default_timeout, std::chrono::seconds(30));
  EXPECT_EQ(s.var_names, (std::vector<std::string>{"show_id", "request_id"}));
  ASSERT_EQ(s.classes.size(), 2u);

  const UserClass& health = s.classes[0];
  EXPECT_EQ(health.name, "HealthCheckUser");
  EXPECT_EQ(health.weight, 40);
  EXPECT_EQ(health.fixed_count, 2);
  EXPECT_EQ(health.wait.kind, WaitTime::Kind::kBetween);
  EXPECT_EQ(health.wait.b, 5);
  EXPECT_EQ(health.where.line, 6);
  ASSERT_EQ(health.root.tasks.size(), 2u);
  EXPECT_EQ(health.root.tasks[0].weight, 5);
  EXPECT_EQ(health.root.tasks[0].tags, (std::vector<std::string>{"health", "read"}));
  EXPECT_EQ(health.root.tasks[1].name, "GET /ping");
  EXPECT_EQ(health.root.tasks[1].where.line, 15);

  const UserClass& browse = s.classes[1];
  EXPECT_EQ(browse.weight, 1);
  EXPECT_EQ(browse.host, "http://other:1");
  EXPECT_EQ(browse.wait.kind, WaitTime::Kind::kConstantPacing);
  EXPECT_TRUE(browse.root.sequential);
  ASSERT_EQ(browse.root.on_start.size(), 1u);
  EXPECT_EQ(browse.root.on_stop[0].method, "DELETE");
  ASSERT_EQ(browse.root.tasks.size(), 3u);

  const Task& seq = browse.root.tasks[0];
  ASSERT_EQ(seq.requests.size(), 2u);
  const Request& list = seq.requests[0];
  std::string rendered = render(list.path);
  const std::string prefix = "/api/v1/shows/?page=1&page_size=";
  ASSERT_EQ(rendered.size(), prefix.size() + 9) << rendered;
  EXPECT_TRUE(rendered.starts_with(prefix) && rendered.ends_with("&q=a%20b")) << rendered;
  EXPECT_TRUE(rendered[prefix.size()] >= '1' && rendered[prefix.size()] <= '5') << rendered;
  EXPECT_EQ(list.path.source(), "/api/v1/shows/?page=1&page_size={{ randint(1, 5) }}&q=a b");
  EXPECT_EQ(list.timeout, std::chrono::seconds(10));
  EXPECT_EQ(list.expect.ranges,
            (std::vector<std::pair<int, int>>{{200, 200}, {200, 299}, {300, 304}}));
  ASSERT_EQ(list.extract.size(), 1u);
  EXPECT_EQ(list.extract[0].slot, 0);
  EXPECT_EQ(list.extract[0].json_path, "$.series[*].id");
  const Request& detail = seq.requests[1];
  EXPECT_EQ(render(detail.path, {"42"}), "/api/v1/shows/42");
  EXPECT_EQ(detail.name, "/api/v1/shows/[id]");
  EXPECT_EQ(detail.headers[0].first, "X-Request-ID");
  EXPECT_EQ(render(detail.headers[0].second).size(), 36u);
  EXPECT_EQ(seq.name, "browse_then_detail");

  const Task& library = browse.root.tasks[1];
  EXPECT_EQ(library.kind, Task::Kind::kGroup);
  EXPECT_EQ(library.weight, 2);
  EXPECT_TRUE(library.group->sequential);
  EXPECT_EQ(library.group->wait->kind, WaitTime::Kind::kConstant);
  EXPECT_EQ(library.group->on_start.size(), 1u);
  ASSERT_EQ(library.group->tasks.size(), 3u);
  const Request& post = library.group->tasks[0].requests[0];
  EXPECT_EQ(post.content_type, "application/json");
  std::string body = render(*post.body);
  EXPECT_TRUE(body.starts_with(R"({"query":")")) << body;
  EXPECT_TRUE(body.ends_with(
      R"(","user_id":"u9","n":3,"ok":true,"none":null,"list":[1.5,"x\"y"],"quoted":"7"})"))
      << body;
  EXPECT_EQ(library.group->tasks[0].tags, (std::vector<std::string>{"browsing"}));
  EXPECT_EQ(library.group->tasks[0].name, "POST /api/v1/requests/content");
  EXPECT_EQ(library.group->tasks[1].tags, (std::vector<std::string>{"browsing", "status"}));
  EXPECT_EQ(render(library.group->tasks[1].requests[0].path, {"", "r1"}),
            "/api/v1/requests/r1/status");
  EXPECT_EQ(library.group->tasks[2].kind, Task::Kind::kInterrupt);

  const Request& raw = browse.root.tasks[2].requests[0];
  EXPECT_EQ(raw.method, "PUT");
  EXPECT_EQ(render(*raw.body), "line 4");
  EXPECT_EQ(raw.content_type, "text/csv");
}

TEST(Loader, JsonValuesAreEscaped) {
  Suite s = load_suite_from_string(R"(users:
  - name: U
    tasks:
      - request:
          method: POST
          path: /x
          json: {"a\"b": "{{ v }}\n", plain: "tab	end"}
      - request: {path: /y, extract: {v: $.v}}
)",
                                   "j.yaml");
  const Request& r = s.classes[0].root.tasks[0].requests[0];
  EXPECT_EQ(render(*r.body, {"q\"\\"}), R"({"a\"b":"q\"\\\n","plain":"tab\tend"})");
}

TEST(Loader, QueryListsRepeatTheKeyAndExtendAnExistingQuery) {
  Suite s = load_suite_from_string(R"(users:
  - name: U
    tasks:
      - request: {path: "/x?a=1", query: {id: [1, "two words"], "k&": "{{ v }}"}}
      - request: {path: /y, extract: {v: $.v}}
      - head /z
)",
                                   "q.yaml");
  const Task& t = s.classes[0].root.tasks[0];
  EXPECT_EQ(render(t.requests[0].path, {"a/b"}), "/x?a=1&id=1&id=two%20words&k%26=a%2Fb");
  EXPECT_EQ(s.classes[0].root.tasks[2].requests[0].method, "HEAD");
}

TEST(Loader, EnvironmentIsSubstitutedEverywhere) {
  ::setenv("ARRLOAD_LT_HOST", "http://env:9", 1);
  ::setenv("ARRLOAD_LT_WEIGHT", "7", 1);
  ::setenv("ARRLOAD_LT_LIMIT", "20", 1);
  Suite s = load_suite_from_string(R"(host: ${ARRLOAD_LT_HOST}
users:
  - name: U
    weight: ${ARRLOAD_LT_WEIGHT}
    tasks:
      - request:
          method: POST
          path: /${ARRLOAD_LT_UNSET:-p}
          json:
            limit: ${ARRLOAD_LT_LIMIT}
            quoted: "${ARRLOAD_LT_LIMIT}"
)",
                                   "env.yaml");
  EXPECT_EQ(s.host, "http://env:9");
  EXPECT_EQ(s.classes[0].weight, 7);
  const Request& r = s.classes[0].root.tasks[0].requests[0];
  EXPECT_EQ(render(r.path), "/p");
  EXPECT_EQ(render(*r.body), R"({"limit":20,"quoted":"20"})");
}

TEST(Loader, DefaultsWhenKeysAreLeftOut) {
  Suite s = load_suite_from_string("users:\n  - name: U\n    tasks: [GET /health]\n", "d.yaml");
  EXPECT_EQ(s.host, "");
  EXPECT_EQ(s.default_timeout, std::chrono::seconds(60));
  const UserClass& u = s.classes[0];
  EXPECT_EQ(u.weight, 1);
  EXPECT_FALSE(u.fixed_count.has_value());
  EXPECT_EQ(u.wait.kind, WaitTime::Kind::kNone);
  const Request& r = u.root.tasks[0].requests[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_TRUE(r.expect.ranges.empty());
  EXPECT_FALSE(r.body.has_value());
  EXPECT_FALSE(r.timeout.has_value());
  EXPECT_EQ(r.where.line, 3);
  EXPECT_TRUE(u.cookies);
  EXPECT_EQ(r.max_redirects, 10);
}

TEST(Loader, FormBodiesAreUrlEncoded) {
  Suite s = load_suite_from_string(R"(users:
  - name: U
    tasks:
      - request:
          method: POST
          path: /login
          form: {user name: "a&b {{ counter }}", tag: [x, "y z"]}
)",
                                   "f.yaml");
  const Request& r = s.classes[0].root.tasks[0].requests[0];
  EXPECT_EQ(r.content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(render(*r.body), "user%20name=a%26b%204&tag=x&tag=y%20z");
}

TEST(Loader, ClassHeadersGoToEveryRequestThatDoesNotSetThem) {
  Suite s = load_suite_from_string(R"(users:
  - name: U
    headers: {Authorization: "Bearer {{ token }}", X-Client: arrload}
    on_start:
      - {method: POST, path: /login, extract: {token: $.token}}
    tasks:
      - {request: {path: /a, headers: {x-client: mine}}}
      - name: group
        tasks:
          - GET /b
          - {request: {ws: connect, path: /ws}}
          - {request: {ws: send, body: hi}}
)",
                                   "h.yaml");
  const UserClass& u = s.classes[0];
  auto names = [](const Request& r) {
    std::string out;
    for (const auto& [name, value] : r.headers) out += name + "=" + value.source() + ";";
    return out;
  };
  EXPECT_EQ(names(u.root.on_start[0]), "Authorization=Bearer {{ token }};X-Client=arrload;");
  EXPECT_EQ(names(u.root.tasks[0].requests[0]), "Authorization=Bearer {{ token }};x-client=mine;");
  const TaskGroup& g = *u.root.tasks[1].group;
  EXPECT_EQ(names(g.tasks[0].requests[0]), "Authorization=Bearer {{ token }};X-Client=arrload;");
  EXPECT_EQ(names(g.tasks[1].requests[0]), "Authorization=Bearer {{ token }};X-Client=arrload;");
  EXPECT_EQ(names(g.tasks[2].requests[0]), "") << "a WebSocket message has no headers";
}

TEST(Loader, CookiesAndRedirects) {
  Suite s = load_suite_from_string(R"(users:
  - name: U
    cookies: false
    tasks:
      - request: {path: /a, follow_redirects: false}
      - request: {path: /b, max_redirects: 2}
      - request: {path: /c, follow_redirects: true, max_redirects: 0}
)",
                                   "r.yaml");
  EXPECT_FALSE(s.classes[0].cookies);
  const auto& tasks = s.classes[0].root.tasks;
  EXPECT_EQ(tasks[0].requests[0].max_redirects, 0);
  EXPECT_EQ(tasks[1].requests[0].max_redirects, 2);
  EXPECT_EQ(tasks[2].requests[0].max_redirects, 0);
}

TEST(Loader, WaitForms) {
  auto wait_of = [](const std::string& wait) {
    return load_suite_from_string("users:\n  - name: U\n    wait: " + wait + "\n    tasks: [/x]\n",
                                  "w.yaml")
        .classes[0]
        .wait;
  };
  EXPECT_EQ(wait_of("none").kind, WaitTime::Kind::kNone);
  WaitTime w = wait_of("between(500ms, 2)");
  EXPECT_EQ(w.kind, WaitTime::Kind::kBetween);
  EXPECT_DOUBLE_EQ(w.a, 0.5);
  EXPECT_DOUBLE_EQ(w.b, 2);
  EXPECT_DOUBLE_EQ(wait_of("constant(1.5)").a, 1.5);
  EXPECT_EQ(wait_of("{constant_throughput: 0.5}").kind, WaitTime::Kind::kConstantThroughput);
  EXPECT_DOUBLE_EQ(wait_of("{constant_throughput: 0.5}").a, 0.5);
  EXPECT_DOUBLE_EQ(wait_of("{between: [2, 5]}").b, 5);
}

TEST(Loader, ErrorMessageFormat) {
  try {
    load_suite_from_string("users:\n  - name: U\n    wieght: 2\n    tasks: [/x]\n", "f.yaml");
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_STREQ(e.what(),
                 "f.yaml:3: users[0].wieght: unknown key 'wieght' (did you mean 'weight'? "
                 "allowed: name, weight, fixed_count, wait, host, category, sequential, on_start, "
                 "on_stop, tasks, cookies, headers)");
    EXPECT_EQ(e.file(), "f.yaml");
  }
}

TEST(Loader, CategoriesAreInheritedAndOverridden) {
  Suite s = load_suite_from_string(R"(users:
  - name: U
    category: read
    on_start: [GET /login]
    tasks:
      - GET /a
      - {category: write, requests: [POST /b, {path: /c, category: slow}]}
      - category: health
        tasks: [GET /d, {interrupt: true}]
        on_start: [GET /e]
)",
                                   "c.yaml");
  const TaskGroup& root = s.classes[0].root;
  EXPECT_EQ(root.on_start[0].category, "read");
  EXPECT_EQ(root.tasks[0].category, "read");
  EXPECT_EQ(root.tasks[0].requests[0].category, "read");
  EXPECT_EQ(root.tasks[1].category, "write");
  EXPECT_EQ(root.tasks[1].requests[0].category, "write");
  EXPECT_EQ(root.tasks[1].requests[1].category, "slow");
  const TaskGroup& inner = *root.tasks[2].group;
  EXPECT_EQ(inner.tasks[0].requests[0].category, "health");
  EXPECT_EQ(inner.on_start[0].category, "health");
}

TEST(Loader, BodyChecks) {
  Suite s = load_suite_from_string(R"(users:
  - name: U
    tasks:
      - request:
          path: /health
          check: {$.status: [healthy, degraded], $.services: "*", $.n: 3, $.s: "*x"}
)",
                                   "c.yaml");
  const Request& r = s.classes[0].root.tasks[0].requests[0];
  ASSERT_EQ(r.checks.size(), 4u);
  EXPECT_EQ(r.checks[0].json_path, "$.status");
  EXPECT_EQ(r.checks[0].values, (std::vector<std::string>{"healthy", "degraded"}));
  EXPECT_TRUE(r.checks[1].values.empty());  // '*': any value
  EXPECT_EQ(r.checks[2].values, std::vector<std::string>{"3"});
  EXPECT_EQ(r.checks[3].values, std::vector<std::string>{"*x"});
  EXPECT_TRUE(r.needs_body());
}

TEST(Loader, WebSocketSteps) {
  Suite s = load_suite_from_string(R"(users:
  - name: W
    tasks:
      - category: websocket
        requests:
          - {ws: connect, path: /api/v1/ws, await: connection, name: connect, timeout: 5s}
          - {ws: send, json: {type: test, n: "{{ counter }}"}, await: ack}
          - {ws: listen, duration: 2s}
          - {ws: close}
)",
                                   "w.yaml");
  const auto& reqs = s.classes[0].root.tasks[0].requests;
  ASSERT_EQ(reqs.size(), 4u);
  for (const Request& r : reqs) {
    EXPECT_EQ(r.method, "WS");
    ASSERT_TRUE(r.ws.has_value());
    EXPECT_EQ(r.category, "websocket");
  }
  EXPECT_EQ(reqs[0].ws->kind, WsStep::Kind::kConnect);
  EXPECT_EQ(reqs[0].path.source(), "/api/v1/ws");
  EXPECT_EQ(reqs[0].ws->await_type, "connection");
  EXPECT_EQ(reqs[0].timeout, std::chrono::seconds(5));
  EXPECT_EQ(reqs[1].ws->kind, WsStep::Kind::kSend);
  ASSERT_TRUE(reqs[1].body.has_value());
  EXPECT_EQ(reqs[1].body->source(), R"({"type":"test","n":"{{ counter }}"})");
  EXPECT_EQ(reqs[1].ws->await_type, "ack");
  EXPECT_EQ(reqs[2].ws->kind, WsStep::Kind::kListen);
  EXPECT_EQ(reqs[2].ws->listen, std::chrono::seconds(2));
  EXPECT_EQ(reqs[3].ws->kind, WsStep::Kind::kClose);
}

TEST(Loader, ShapesAndProfiles) {
  Suite s = load_suite_from_string(R"(users:
  - {name: A, tasks: [GET /a]}
  - {name: B, weight: 0, tasks: [GET /b]}
shapes:
  spike:
    - {duration: 1m, users: 10, spawn_rate: 5}
    - {duration: 30s, users: 100, spawn_rate: 100, classes: [B]}
profiles:
  quick: {description: Quick look, users: 3, spawn_rate: 1.5, run_time: 1m, tags: [read]}
  burst: {shape: spike, weights: {B: 2}, exclude_tags: [slow]}
)",
                                   "p.yaml");
  ASSERT_EQ(s.shapes.size(), 1u);
  const Shape* spike = s.find_shape("spike");
  ASSERT_NE(spike, nullptr);
  ASSERT_EQ(spike->stages.size(), 2u);
  EXPECT_EQ(spike->stages[0].duration, std::chrono::minutes(1));
  EXPECT_EQ(spike->stages[1].users, 100);
  EXPECT_DOUBLE_EQ(spike->stages[1].spawn_rate, 100);
  EXPECT_EQ(spike->stages[1].classes, std::vector<std::string>{"B"});
  EXPECT_EQ(spike->total(), std::chrono::seconds(90));
  const Profile* quick = s.find_profile("quick");
  ASSERT_NE(quick, nullptr);
  EXPECT_EQ(quick->description, "Quick look");
  EXPECT_EQ(quick->users, 3);
  EXPECT_EQ(quick->spawn_rate, 1.5);
  EXPECT_EQ(quick->run_time, std::chrono::minutes(1));
  EXPECT_EQ(quick->tags, std::vector<std::string>{"read"});
  const Profile* burst = s.find_profile("burst");
  ASSERT_NE(burst, nullptr);
  EXPECT_EQ(burst->shape, "spike");
  EXPECT_FALSE(burst->users.has_value());
  EXPECT_EQ(burst->weights.at("B"), 2);
  EXPECT_EQ(burst->exclude_tags, std::vector<std::string>{"slow"});
  EXPECT_EQ(s.find_profile("nope"), nullptr);
}

TEST(Loader, FileNotFound) {
  try {
    load_suite("/nonexistent/arrload.yaml");
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.file(), "/nonexistent/arrload.yaml");
    EXPECT_NE(std::string(e.what()).find("file not found"), std::string::npos);
  }
}

TEST(Loader, QuickstartExampleLoads) {
  Suite s = load_suite(ARRLOAD_SOURCE_DIR "/examples/quickstart.yaml");
  EXPECT_GE(s.classes.size(), 2u);
  EXPECT_FALSE(s.var_names.empty());
  std::set<std::string> tags;
  bool has_group = false;
  for (const UserClass& c : s.classes) {
    for (const Task& t : c.root.tasks) {
      tags.insert(t.tags.begin(), t.tags.end());
      has_group = has_group || t.kind == Task::Kind::kGroup;
    }
  }
  EXPECT_TRUE(has_group);
  EXPECT_FALSE(tags.empty());
}

TEST(Loader, ExampleInTheFormatDocLoads) {
  // docs/scenario-format.md shows the complete example from this file.
  EXPECT_NO_THROW(load_suite(ARRLOAD_TEST_DATA "/scenario/complete.yaml"));
}

}  // namespace
}  // namespace arrload::scenario

namespace arrload::scenario {
namespace {

TEST(LoaderArrivalTest, LoadsConstantAndRampingSchedules) {
  Suite s = load_suite_from_strings({{"open.yaml", R"(
users:
  - name: Constant
    arrival: {rate: 30/m, pool: 2}
    tasks:
      - GET /a
  - name: Ramp
    arrival:
      start_rate: 5
      stages:
        - {duration: 10s, rate: 2/s}
        - {duration: 1m, rate: 120}
      pool: 10
      max_pool: 40
    tasks:
      - GET /b
  - name: Closed
    tasks:
      - GET /c
profiles:
  open-peak: {arrival_rate: 500, run_time: 1m}
)"}},
                                    "open");
  ASSERT_EQ(s.classes.size(), 3u);
  const Arrival& c = *s.classes[0].arrival;
  EXPECT_DOUBLE_EQ(c.rate, 0.5);
  EXPECT_TRUE(c.stages.empty());
  EXPECT_EQ(c.pool, 2);
  EXPECT_EQ(c.max_pool, 2);
  EXPECT_FALSE(c.duration());
  const Arrival& r = *s.classes[1].arrival;
  EXPECT_DOUBLE_EQ(r.start_rate, 5);
  ASSERT_EQ(r.stages.size(), 2u);
  EXPECT_DOUBLE_EQ(r.stages[0].rate, 2);
  EXPECT_EQ(r.stages[1].duration, std::chrono::minutes(1));
  EXPECT_DOUBLE_EQ(r.peak_rate(), 120);
  EXPECT_EQ(r.duration(), std::chrono::seconds(70));
  EXPECT_EQ(r.max_pool, 40);
  EXPECT_FALSE(s.classes[2].arrival);
  ASSERT_NE(s.find_profile("open-peak"), nullptr);
  EXPECT_EQ(s.find_profile("open-peak")->arrival_rate, 500);
}

}  // namespace
}  // namespace arrload::scenario
