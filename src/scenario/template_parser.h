#pragma once
// Parsing of template text (syntax in template.h and docs/scenario-format.md) into Template parts.
// Used by the loader at start-up; errors are std::invalid_argument with a message meant for the
// user, which the loader prefixes with file, line and field.
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/template.h"

namespace arrload::scenario {

// What placeholders may refer to while a template is parsed.
struct TemplateScope {
  // Lists declared under `data:`, for {{ choice(NAME) }}; null = no lists.
  const std::map<std::string, std::vector<std::string>>* data = nullptr;
  // Returns the slot of variable NAME (the caller decides whether NAME is known); an empty
  // function means {{ var }} placeholders are not allowed here.
  std::function<int(const std::string& name)> var_slot;
  // The columns of the user class's feeder, for {{ row.COLUMN }}; null: the class has none.
  const std::vector<std::string>* row_columns = nullptr;
  // Names that feeder in messages ("feeder 'accounts' (accounts.csv)"); without one, what to do
  // instead ("the class has no feeder: ...").
  std::string row_source = "the user class has no feeder (add feeder: NAME to the class)";
};

// Where the rendered text goes, which decides how literal text and values are escaped.
enum class TextEscape {
  kNone,  // as is (paths, header values, raw bodies)
  kJson,  // inside a JSON string: literals escaped now, values at render
  kUrl,   // a query-string key or value: literals and choice options encoded now, vars at render
};

struct ParsedText {
  std::vector<Template::Part> parts;
  std::string source;  // the text with ${ENV} substituted and placeholders as written
};

// Substitutes ${NAME} and ${NAME:-default} from the environment and turns $${ into a literal ${.
// Throws std::invalid_argument for an unset variable without default or a malformed reference.
std::string substitute_env(std::string_view text);

// Parses TEXT: environment references are substituted now, {{ ... }} become placeholders.
// Throws std::invalid_argument describing the first problem.
ParsedText parse_template_parts(std::string_view text, const TemplateScope& scope,
                                TextEscape escape);

// parse_template_parts for a whole string; JSON_ESCAPE: TEXT is the content of a JSON string.
Template parse_template(std::string_view text, const TemplateScope& scope,
                        bool json_escape = false);

}  // namespace arrload::scenario
