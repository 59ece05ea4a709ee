#pragma once
// Builds a Suite from a YAML scenario file (format: docs/scenario-format.md).
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "scenario/model.h"

namespace arrload::scenario {

// A problem in a scenario file. what() reads "FILE:LINE: FIELD: what is wrong (what to do)".
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(const std::string& file, int line, const std::string& field,
                const std::string& message);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& field() const { return field_; }

 private:
  std::string file_;
  int line_;
  std::string field_;
};

// Loads PATH (a .yaml/.yml file, or a directory whose *.yaml/*.yml files are merged in name order).
// Environment variables are substituted now. Throws ScenarioError for any problem.
Suite load_suite(const std::string& path);

// Loads from YAML text; FILE_NAME is used in error messages.
Suite load_suite_from_string(const std::string& yaml_text, const std::string& file_name);

// Loads from several {file name, YAML text} pairs merged as the files of a directory are (a file
// named budgets.yaml is skipped the same way); SUITE_NAME names the whole.
Suite load_suite_from_strings(const std::vector<std::pair<std::string, std::string>>& files,
                              const std::string& suite_name);

// Whether a directory's file named NAME is left to the judge (budgets.yaml) rather than loaded.
bool is_budgets_file(const std::string& name);

}  // namespace arrload::scenario
