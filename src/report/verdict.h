#pragma once
// The verdict's console table and JUnit XML (docs/budgets.md).
#include <string>

#include "budget/verdict.h"

namespace arrload::report {

// Under a verdict with a check marked "(corrected)": what that means and how to judge service
// times instead.
inline constexpr const char* kCorrectedNote =
    "(corrected): from each request's intended start, corrected for coordinated omission; "
    "p95_service<... judges the service time instead (docs/budgets.md)";
// Whether any check of V was judged on corrected response times.
bool any_corrected(const budget::Verdict& v);

// The verdict table: one line per check (subject, category, budget, actual, result, margin),
// then the other criteria and notes, then PASS or FAIL with the exit status.
std::string verdict_table(const budget::Verdict& v);

// JUnit XML: one test suite "arrload", one test case per check and criterion; a failing one
// carries the numbers in its <failure message=...>.
std::string junit_xml(const budget::Verdict& v, double duration_s);
// Writes junit_xml to PATH. Throws std::runtime_error naming the file.
void write_junit(const std::string& path, const budget::Verdict& v, double duration_s);

}  // namespace arrload::report
