// Files and directories, the suite's top level, user classes and variables.
#include "scenario/loader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/strings.h"
#include "scenario/loader_internal.h"

namespace arrload::scenario {

namespace {

std::string error_text(const std::string& file, int line, const std::string& field,
                       const std::string& message) {
  std::string out = file;
  if (line > 0) out += fmt::format(":{}", line);
  out += ": ";
  if (!field.empty()) out += field + ": ";
  return out + message;
}

}  // namespace

ScenarioError::ScenarioError(const std::string& file, int line, const std::string& field,
                             const std::string& message)
    : std::runtime_error(error_text(file, line, field, message)),
      file_(file),
      line_(line),
      field_(field) {}

namespace detail {

TemplateScope LoadState::scope_for(const Field& field) {
  TemplateScope scope;
  scope.data = &data;
  scope.var_slot = [this, field](const std::string& name) {
    first_use_.try_emplace(name, field);
    return slot(name);
  };
  return scope;
}

int LoadState::add_extraction(const std::string& name) {
  extracted_.insert(name);
  return slot(name);
}

int LoadState::slot(const std::string& name) {
  auto [it, fresh] = slots_.try_emplace(name, static_cast<int>(var_names_.size()));
  if (fresh) var_names_.push_back(name);
  return it->second;
}

void LoadState::check_variables() const {
  // Report the unknown variable that appears first in the files, not the first alphabetically.
  const Field* first = nullptr;
  std::string first_name;
  for (const auto& [name, field] : first_use_) {
    if (extracted_.contains(name)) continue;
    if (first == nullptr || slots_.at(name) < slots_.at(first_name)) {
      first = &field;
      first_name = name;
    }
  }
  if (first == nullptr) return;
  std::string known;
  for (const std::string& name : extracted_) known += (known.empty() ? "" : ", ") + name;
  first->fail(fmt::format("unknown variable '{}': no request extracts it ({})", first_name,
                          known.empty() ? "add extract: {" + first_name + ": $.path} to a request"
                                        : "extracted variables: " + known));
}

}  // namespace detail

namespace {

using detail::Field;
using detail::LoadState;

struct Document {
  std::string file;
  YAML::Node root;
};

Document parse_document(const std::string& text, const std::string& file) {
  try {
    return {file, YAML::Load(text)};
  } catch (const YAML::ParserException& e) {
    throw ScenarioError(file, e.mark.line + 1, "", "YAML syntax error: " + e.msg);
  }
}

void load_data(const Field& root, LoadState& state,
               std::map<std::string, SourceLocation>& declared) {
  std::optional<Field> data = root.find("data");
  if (!data) return;
  data->expect_map("a mapping of list names to lists, as in {queries: [a, b]}");
  for (const auto& [name, list] : data->entries()) {
    bool identifier = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
      return std::isalnum(c) || c == '_' || c == '-';
    });
    if (!identifier) list.fail(fmt::format("bad list name '{}' (letters, digits, _ and -)", name));
    if (auto it = declared.find(name); it != declared.end()) {
      list.fail(fmt::format("data list '{}' is already declared at {}:{}", name, it->second.file,
                            it->second.line));
    }
    list.expect_list("a list of values");
    std::vector<std::string> values;
    for (const Field& item : list.items()) values.push_back(item.text());
    if (values.empty()) list.fail("a data list needs at least one value");
    state.data.emplace(name, std::move(values));
    declared.emplace(name, list.where());
  }
}

// Gives every HTTP request and WebSocket connect of GROUP (nested groups too) the class's
// HEADERS it does not set itself (names compared without case), before its own.
void add_class_headers(const std::vector<std::pair<std::string, Template>>& headers,
                       TaskGroup& group) {
  auto add = [&](Request& r) {
    if (r.ws && r.ws->kind != WsStep::Kind::kConnect) return;
    std::vector<std::pair<std::string, Template>> merged;
    for (const auto& h : headers) {
      const bool own = std::any_of(r.headers.begin(), r.headers.end(), [&](const auto& mine) {
        return core::iequals(mine.first, h.first);
      });
      if (!own) merged.push_back(h);
    }
    std::move(r.headers.begin(), r.headers.end(), std::back_inserter(merged));
    r.headers = std::move(merged);
  };
  for (Request& r : group.on_start) add(r);
  for (Request& r : group.on_stop) add(r);
  for (Task& t : group.tasks) {
    for (Request& r : t.requests) add(r);
    if (t.group) add_class_headers(headers, *t.group);
  }
}

// An iteration rate: a number (per second) or "N/s", "N/m", "N/h".
double arrival_rate_of(const Field& f, bool allow_zero) {
  const std::string text = f.text();
  double per = 1;
  std::string number = text;
  if (const auto slash = text.find('/'); slash != std::string::npos) {
    const std::string unit = text.substr(slash + 1);
    if (unit == "s") {
      per = 1;
    } else if (unit == "m") {
      per = 60;
    } else if (unit == "h") {
      per = 3600;
    } else {
      f.fail(
          fmt::format("unknown rate unit '/{}' (use a number per second, or N/s, N/m, N/h)", unit));
    }
    number = text.substr(0, slash);
  }
  double rate = 0;
  const char* begin = number.data();
  const char* end = begin + number.size();
  const auto [ptr, ec] = std::from_chars(begin, end, rate);
  if (ec != std::errc() || ptr != end || !std::isfinite(rate)) {
    f.fail(
        fmt::format("'{}' is not a rate (iterations per second, as in 200, 30/m or 2.5/s)", text));
  }
  rate /= per;
  if (rate < 0 || (!allow_zero && rate == 0) || rate > 10'000'000) {
    f.fail(allow_zero ? "a rate must be 0 to 10000000 per second"
                      : "a rate must be greater than 0 and at most 10000000 per second");
  }
  return rate;
}

// arrival: {rate: 200, pool: 10, max_pool: 50} or {start_rate: 0, stages: [{duration, rate}],
// pool, max_pool}.
Arrival load_arrival(const Field& field) {
  field.expect_map(
      "an arrival schedule: {rate: 200, pool: 10} or {start_rate: 0, stages: [{duration: 30s, "
      "rate: 200}], pool: 10}");
  field.check_keys({"rate", "start_rate", "stages", "pool", "max_pool"});
  Arrival a;
  a.where = field.where();
  const auto rate = field.find("rate");
  const auto stages = field.find("stages");
  if (rate && stages) {
    rate->fail("give rate: (a constant rate) or stages: (a ramping one), not both");
  }
  if (!rate && !stages) {
    field.fail("an arrival schedule needs rate: (iterations per second) or stages:");
  }
  if (rate) {
    a.rate = arrival_rate_of(*rate, false);
    if (auto f = field.find("start_rate")) f->fail("start_rate: goes with stages:, not rate:");
  } else {
    if (auto f = field.find("start_rate")) a.start_rate = arrival_rate_of(*f, true);
    stages->expect_list("a list of stages, as in [{duration: 30s, rate: 200}]");
    for (const Field& item : stages->items()) {
      item.expect_map("a stage: {duration: 30s, rate: 200}");
      item.check_keys({"duration", "rate"});
      ArrivalStage st;
      st.where = item.where();
      Field d = item.get("duration", "how long the stage lasts, as in 30s");
      st.duration = d.duration();
      if (st.duration.count() <= 0) d.fail("must be greater than 0");
      st.rate = arrival_rate_of(item.get("rate", "the rate reached at the stage's end"), true);
      a.stages.push_back(st);
    }
    if (a.stages.empty()) stages->fail("needs at least one stage");
    if (!(a.peak_rate() > 0)) stages->fail("every rate is 0: the class would never start anything");
  }
  Field pool = field.get("pool",
                         "how many users run the iterations: an iteration needs a free user, so "
                         "about rate x iteration time (200/s x 0.05 s = 10), plus a margin");
  const std::int64_t p = pool.integer();
  if (p < 1 || p > 1'000'000) pool.fail("the pool must be 1 to 1000000 users");
  a.pool = static_cast<int>(p);
  a.max_pool = a.pool;
  if (auto f = field.find("max_pool")) {
    const std::int64_t m = f->integer();
    if (m < a.pool || m > 1'000'000) {
      f->fail(fmt::format("max_pool must be at least the pool ({}) and at most 1000000", a.pool));
    }
    a.max_pool = static_cast<int>(m);
  }
  return a;
}

// An arrival-rate class starts one leaf task per iteration: a task set (the user would stay in
// it) or an interrupt has no meaning there.
void check_arrival_tasks(const Field& field, const UserClass& user) {
  for (const Task& t : user.root.tasks) {
    if (t.kind == Task::Kind::kRequests) continue;
    throw ScenarioError(
        t.where.file, t.where.line, field.path() + ".tasks",
        fmt::format("task '{}' is a task set; an arrival-rate class starts one task "
                    "per iteration, so its tasks must be requests (move the set's "
                    "tasks up, or use a closed class for it)",
                    t.name));
  }
}

UserClass load_user(const Field& field, LoadState& state) {
  field.expect_map("a user class: a mapping with name: and tasks:");
  field.check_keys({"name", "weight", "fixed_count", "wait", "host", "category", "sequential",
                    "on_start", "on_stop", "tasks", "cookies", "headers", "arrival",
                    "optional"});
  UserClass user;
  user.where = field.where();
  Field name = field.get("name", "the user class's name, as in HealthCheckUser");
  user.name = name.text();
  if (user.name.empty()) name.fail("the name must not be empty");
  if (auto f = field.find("weight")) {
    std::int64_t weight = f->integer();
    if (weight < 0 || weight > 1'000'000) f->fail("a user class's weight must be 0 to 1000000");
    user.weight = static_cast<int>(weight);
  }
  if (auto f = field.find("fixed_count")) {
    std::int64_t count = f->integer();
    if (count < 0 || count > 10'000'000) f->fail("must be 0 to 10000000");
    user.fixed_count = static_cast<int>(count);
  }
  if (auto f = field.find("wait")) user.wait = detail::load_wait(*f);
  if (auto f = field.find("host")) user.host = f->text();
  if (auto f = field.find("cookies")) user.cookies = f->boolean();
  if (auto f = field.find("optional")) user.optional = f->boolean();
  detail::Inherited inherited;
  if (auto f = field.find("category")) inherited.category = detail::load_category(*f);
  user.root = detail::load_group(field, state, inherited, false);
  if (auto f = field.find("headers"))
    add_class_headers(detail::load_header_map(*f, state), user.root);
  if (auto f = field.find("arrival")) {
    for (const char* key : {"wait", "weight", "fixed_count"}) {
      if (auto g = field.find(key)) {
        g->fail(fmt::format(
            "an arrival-rate class has no {}: its schedule decides when iterations start and its "
            "pool how many users run them",
            key));
      }
    }
    user.arrival = load_arrival(*f);
    check_arrival_tasks(field, user);
  }
  return user;
}

void load_users(const Field& root, LoadState& state, Suite& suite) {
  std::optional<Field> users = root.find("users");
  if (!users) return;
  users->expect_list("a list of user classes");
  if (users->items().empty()) users->fail("needs at least one user class");
  for (const Field& item : users->items()) {
    UserClass user = load_user(item, state);
    for (const UserClass& other : suite.classes) {
      if (other.name == user.name) {
        item.get("name", "")
            .fail(fmt::format("duplicate user class '{}' (first at {}:{})", user.name,
                              other.where.file, other.where.line));
      }
    }
    suite.classes.push_back(std::move(user));
  }
}

bool is_name(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-' || c == '.';
  });
}

std::vector<std::string> string_list(const Field& field) {
  std::vector<Field> items = field.is_list() ? field.items() : std::vector<Field>{field};
  std::vector<std::string> out;
  for (const Field& item : items) {
    out.push_back(item.text());
    if (out.back().empty()) item.fail("must not be empty");
  }
  return out;
}

double spawn_rate_of(const Field& f) {
  double rate = f.number();
  if (!(rate > 0) || rate > 1e6) f.fail("the spawn rate must be greater than 0 (users per second)");
  return rate;
}

int users_of(const Field& f) {
  std::int64_t users = f.integer();
  if (users < 0 || users > 10'000'000) f.fail("users must be 0 to 10000000");
  return static_cast<int>(users);
}

// shapes: {NAME: [{duration: 1m, users: 10, spawn_rate: 5, classes: [A]}, ...]}
void load_shapes(const Field& root, Suite& suite) {
  std::optional<Field> shapes = root.find("shapes");
  if (!shapes) return;
  shapes->expect_map("a mapping of shape names to lists of stages");
  for (const auto& [name, stages] : shapes->entries()) {
    if (!is_name(name)) stages.fail(fmt::format("bad shape name '{}'", name));
    if (const Shape* other = suite.find_shape(name)) {
      stages.fail(fmt::format("shape '{}' is already declared at {}:{}", name, other->where.file,
                              other->where.line));
    }
    stages.expect_list("a list of stages, as in [{duration: 1m, users: 10, spawn_rate: 5}]");
    Shape shape;
    shape.name = name;
    shape.where = stages.where();
    for (const Field& item : stages.items()) {
      item.expect_map("a stage: {duration: 1m, users: 10, spawn_rate: 5}");
      item.check_keys({"duration", "users", "spawn_rate", "classes"});
      ShapeStage stage;
      stage.where = item.where();
      Field d = item.get("duration", "how long the stage lasts, as in 2m");
      stage.duration = d.duration();
      if (stage.duration.count() <= 0) d.fail("must be greater than 0");
      stage.users = users_of(item.get("users", "the number of users to aim at"));
      if (auto f = item.find("spawn_rate")) stage.spawn_rate = spawn_rate_of(*f);
      if (auto f = item.find("classes")) stage.classes = string_list(*f);
      shape.stages.push_back(std::move(stage));
    }
    if (shape.stages.empty()) stages.fail("a shape needs at least one stage");
    suite.shapes.push_back(std::move(shape));
  }
}

// profiles: {NAME: {description, users, spawn_rate, run_time, shape, tags, exclude_tags, weights}}
void load_profiles(const Field& root, Suite& suite) {
  std::optional<Field> profiles = root.find("profiles");
  if (!profiles) return;
  profiles->expect_map("a mapping of profile names to settings");
  for (const auto& [name, body] : profiles->entries()) {
    if (!is_name(name)) body.fail(fmt::format("bad profile name '{}'", name));
    if (const Profile* other = suite.find_profile(name)) {
      body.fail(fmt::format("profile '{}' is already declared at {}:{}", name, other->where.file,
                            other->where.line));
    }
    body.expect_map("a mapping with users:, spawn_rate:, run_time: or shape:");
    body.check_keys({"description", "users", "spawn_rate", "run_time", "shape", "tags",
                     "exclude_tags", "weights", "arrival_rate", "classes"});
    Profile p;
    p.name = name;
    p.where = body.where();
    if (auto f = body.find("description")) p.description = f->text();
    if (auto f = body.find("users")) p.users = users_of(*f);
    if (auto f = body.find("spawn_rate")) p.spawn_rate = spawn_rate_of(*f);
    if (auto f = body.find("run_time")) {
      p.run_time = f->duration();
      if (p.run_time->count() <= 0) f->fail("must be greater than 0");
    }
    if (auto f = body.find("shape")) {
      p.shape = f->text();
      for (const char* key : {"users", "spawn_rate"}) {
        if (auto g = body.find(key)) {
          g->fail("a profile with a shape takes its users and spawn rates from the shape's stages");
        }
      }
    }
    if (auto f = body.find("arrival_rate")) p.arrival_rate = arrival_rate_of(*f, false);
    if (auto f = body.find("classes")) p.classes = string_list(*f);
    if (auto f = body.find("tags")) p.tags = string_list(*f);
    if (auto f = body.find("exclude_tags")) p.exclude_tags = string_list(*f);
    if (auto f = body.find("weights")) {
      f->expect_map("a mapping of user class names to weights");
      for (const auto& [cls, w] : f->entries()) {
        std::int64_t weight = w.integer();
        if (weight < 0 || weight > 1'000'000) w.fail("a weight must be 0 to 1000000");
        p.weights[cls] = static_cast<int>(weight);
      }
    }
    suite.profiles.push_back(std::move(p));
  }
}

// Names used in shapes and profiles must exist once every file is read.
void check_references(const Suite& suite) {
  auto class_exists = [&](const std::string& name) {
    return std::any_of(suite.classes.begin(), suite.classes.end(),
                       [&](const UserClass& c) { return c.name == name; });
  };
  auto class_names = [&] {
    std::string out;
    for (const UserClass& c : suite.classes) out += (out.empty() ? "" : ", ") + c.name;
    return out;
  };
  for (const Shape& shape : suite.shapes) {
    for (std::size_t i = 0; i < shape.stages.size(); ++i) {
      const ShapeStage& stage = shape.stages[i];
      for (const std::string& c : stage.classes) {
        if (!class_exists(c)) {
          throw ScenarioError(
              stage.where.file, stage.where.line,
              fmt::format("shapes.{}[{}].classes", shape.name, i),
              fmt::format("unknown user class '{}' (classes: {})", c, class_names()));
        }
      }
    }
  }
  for (const Profile& p : suite.profiles) {
    if (!p.shape.empty() && suite.find_shape(p.shape) == nullptr) {
      std::string shapes;
      for (const Shape& s : suite.shapes) shapes += (shapes.empty() ? "" : ", ") + s.name;
      throw ScenarioError(
          p.where.file, p.where.line, fmt::format("profiles.{}.shape", p.name),
          fmt::format("unknown shape '{}' ({})", p.shape,
                      shapes.empty() ? "no shapes: are declared" : "shapes: " + shapes));
    }
    for (const std::string& cls : p.classes) {
      if (!class_exists(cls)) {
        throw ScenarioError(
            p.where.file, p.where.line, fmt::format("profiles.{}.classes", p.name),
            fmt::format("unknown user class '{}' (classes: {})", cls, class_names()));
      }
    }
    for (const auto& [cls, weight] : p.weights) {
      if (!class_exists(cls)) {
        throw ScenarioError(
            p.where.file, p.where.line, fmt::format("profiles.{}.weights", p.name),
            fmt::format("unknown user class '{}' (classes: {})", cls, class_names()));
      }
    }
  }
}

void load_top_level(const Field& root, Suite& suite, bool& host_set, bool& timeout_set) {
  if (auto f = root.find("health"); f && suite.health.empty()) {
    suite.health = f->text();
    bool url = suite.health.rfind("http://", 0) == 0 || suite.health.rfind("https://", 0) == 0;
    if (!url && (suite.health.empty() || suite.health[0] != '/')) {
      f->fail("the health check is a path starting with '/' (e.g. /health) or an http(s) URL");
    }
  }
  if (auto f = root.find("host"); f && !host_set) {
    suite.host = f->text();
    host_set = true;
  }
  if (auto f = root.find("timeout"); f && !timeout_set) {
    suite.default_timeout = f->duration();
    if (suite.default_timeout.count() <= 0) f->fail("must be greater than 0");
    timeout_set = true;
  }
}

// Data lists come first from every file, so a template may use a list declared in a later file.
Suite build_suite(const std::vector<Document>& docs, const std::string& suite_file) {
  std::vector<Field> roots;
  for (const Document& doc : docs) {
    Field root(doc.root, doc.file, "", 1);
    if (root.is_null()) root.fail("the file is empty (expected a mapping with users:)");
    root.expect_map("a mapping with host:, timeout:, data:, users:, shapes: and profiles:");
    root.check_keys({"host", "health", "timeout", "data", "users", "shapes", "profiles"});
    if (docs.size() == 1) root.get("users", "the list of user classes");
    roots.push_back(root);
  }
  LoadState state;
  std::map<std::string, SourceLocation> declared;
  for (const Field& root : roots) load_data(root, state, declared);
  Suite suite;
  suite.file = suite_file;
  bool host_set = false;
  bool timeout_set = false;
  for (const Field& root : roots) {
    load_top_level(root, suite, host_set, timeout_set);
    load_users(root, state, suite);
    load_shapes(root, suite);
    load_profiles(root, suite);
  }
  if (suite.classes.empty()) {
    throw ScenarioError(suite_file, 0, "users", "no user classes in any of the files");
  }
  check_references(suite);
  state.check_variables();
  suite.var_names = state.var_names();
  return suite;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path.string(), 0, "", "cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Suite load_suite(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw ScenarioError(path, 0, "", "file not found");
  std::vector<fs::path> files;
  if (fs::is_directory(path, ec)) {
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      std::string ext = entry.path().extension().string();
      if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml") &&
          !is_budgets_file(entry.path().string())) {
        files.push_back(entry.path());
      }
    }
    if (files.empty()) throw ScenarioError(path, 0, "", "no .yaml or .yml files in the directory");
    std::sort(files.begin(), files.end(),
              [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  } else {
    files.emplace_back(path);
  }
  std::vector<Document> docs;
  docs.reserve(files.size());
  for (const fs::path& file : files) docs.push_back(parse_document(read_file(file), file.string()));
  return build_suite(docs, path);
}

Suite load_suite_from_string(const std::string& yaml_text, const std::string& file_name) {
  return build_suite({parse_document(yaml_text, file_name)}, file_name);
}

Suite load_suite_from_strings(const std::vector<std::pair<std::string, std::string>>& files,
                              const std::string& suite_name) {
  std::vector<Document> docs;
  for (const auto& [name, text] : files) {
    if (!is_budgets_file(name)) docs.push_back(parse_document(text, name));
  }
  if (docs.empty()) throw ScenarioError(suite_name, 0, "", "no scenario files");
  return build_suite(docs, suite_name);
}

bool is_budgets_file(const std::string& name) {
  // budgets.yaml beside the suite is the judge's, not part of the suite.
  const std::string file = std::filesystem::path(name).filename().string();
  return file == "budgets.yaml" || file == "budgets.yml";
}

}  // namespace arrload::scenario
