#pragma once
// Private to the loader: the state shared while files are read, and the builders of each part of
// the model. Split across loader.cc (files, suite, user classes), loader_task.cc (tasks, groups,
// wait times) and loader_request.cc (requests).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "scenario/model.h"
#include "scenario/template_parser.h"
#include "scenario/yaml_field.h"

namespace arrload::scenario::detail {

// What the loader learns while it walks the files: data lists, feeders and per-user variables.
class LoadState {
 public:
  std::map<std::string, std::vector<std::string>> data;  // lists under `data:`, all files
  std::vector<Feeder> feeders;                           // under `feeders:`, all files
  const Feeder* feeder = nullptr;  // the feeder of the user class being loaded, if any

  // A scope for templates written in FIELD; a variable used there is remembered with FIELD's
  // location so that an unknown variable is reported where it was used.
  TemplateScope scope_for(const Field& field);
  // Registers that a request extracts NAME; returns its slot.
  int add_extraction(const std::string& name);
  // Fails, at the first use, for a variable that no request extracts.
  void check_variables() const;
  const std::vector<std::string>& var_names() const { return var_names_; }

 private:
  int slot(const std::string& name);

  std::vector<std::string> var_names_;  // index = slot
  std::map<std::string, int> slots_;
  std::map<std::string, Field> first_use_;
  std::set<std::string> extracted_;
};

// Parses TEXT (written in FIELD) into template parts escaped as ESCAPE says; template errors
// become FIELD's errors.
ParsedText parse_text(const Field& field, std::string_view text, LoadState& state,
                      TextEscape escape);
// Parses FIELD's text as a template; template errors become FIELD's errors.
Template load_template(const Field& field, LoadState& state);

// headers: {NAME: VALUE}; values may be templates; Content-Type is refused (content_type:).
std::vector<std::pair<std::string, Template>> load_header_map(const Field& headers,
                                                              LoadState& state);

// The body of a request or WebSocket message in FIELD: json:, body:, form:, files: and
// content_type: (loader_body.cc). Files are read now, relative to FIELD's file.
void load_body(const Field& field, LoadState& state, Request& r);

// expect:, check: and extract: of the request in FIELD (loader_response.cc).
void load_response_rules(const Field& field, LoadState& state, Request& r);

// A request: "METHOD /path" or a mapping (docs/scenario-format.md).
Request load_request(const Field& field, LoadState& state);
// A non-empty list of requests.
std::vector<Request> load_request_list(const Field& field, LoadState& state);

WaitTime load_wait(const Field& field);

// feeders: {NAME: {file, format, order, on_exhausted, refresh}} of one file's ROOT, into
// state.feeders; data files are read now, relative to ROOT's file (loader_feeder.cc).
void load_feeders(const Field& root, LoadState& state);
// A user class's feeder: NAME; returns its index in state.feeders.
int find_feeder(const Field& field, const LoadState& state);

// A budget category name (an identifier).
std::string load_category(const Field& field);

// What a task inherits from the groups and the user class around it.
struct Inherited {
  std::vector<std::string> tags;
  std::string category;
};

// The tasks, order, on_start and on_stop of OWNER (a user class or a group task). INHERITED tags
// and category pass to every task; NESTED allows interrupt tasks.
TaskGroup load_group(const Field& owner, LoadState& state, const Inherited& inherited, bool nested);

}  // namespace arrload::scenario::detail
