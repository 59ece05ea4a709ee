#pragma once
// Reading a run for `arrload compare`: the JSON report (--json-file) or Locust's CSV files
// (--csv PREFIX: PREFIX_stats.csv, and PREFIX_corrected_stats.csv when present). Formats:
// docs/reports.md; what is read: docs/compare.md.
#include <stdexcept>
#include <string>

#include "compare/run_data.h"

namespace arrload::compare {

// A report that cannot be read; what() names the file and what is wrong with it.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads PATH: a JSON report (a file whose text starts with '{'), else a CSV prefix (PATH itself
// may also name PREFIX_stats.csv). Throws InputError.
RunData load_run(const std::string& path);

// A JSON report's TEXT; SOURCE names it in errors. Throws InputError.
RunData run_from_json(const std::string& text, const std::string& source);

// The text of PREFIX_stats.csv and, when the run wrote one, PREFIX_corrected_stats.csv ("" when
// not); STATS_NAME and CORRECTED_NAME name them in errors. Throws InputError.
RunData run_from_csv(const std::string& stats, const std::string& stats_name,
                     const std::string& corrected, const std::string& corrected_name);

}  // namespace arrload::compare
