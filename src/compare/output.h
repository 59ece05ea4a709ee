#pragma once
// `arrload compare`'s outputs: the console table, JUnit XML for CI systems and a JSON document
// for scripts (docs/compare.md).
#include <string>

#include "compare/compare.h"

namespace arrload::compare {

// Per row the figures, baseline and new with the change ("~" marks a change within the noise),
// the endpoints only in one run, then each regression check and the summary line.
std::string comparison_table(const Comparison& c);

// JUnit XML: one test suite "arrload compare", one test case per check (class name
// "regression.CATEGORY", or "regression.run" for Aggregated); a failure carries the numbers.
std::string junit_xml(const Comparison& c);

// {baseline, new, pass, exit_code, summary, rows: [{name, category, changes: [{metric, baseline,
// new, delta, relative, within_noise}]}], added, vanished, checks: [{subject, category, budget,
// metric, baseline, new, delta, relative, exceeded, within_noise, pass}]}.
std::string comparison_json(const Comparison& c);

}  // namespace arrload::compare
