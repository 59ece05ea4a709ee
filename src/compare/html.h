#pragma once
// The HTML report's "Baseline" section: a run compared with its --baseline (docs/compare.md).
#include <string>

#include "compare/compare.h"

namespace arrload::compare {

// <section id="baseline">: per endpoint the baseline beside the new run with the changes, the
// endpoints only in one run, the regression checks and the summary. Uses the report's classes
// (report/html.cc): n, name, total, pass, fail, muted, wide.
std::string html_section(const Comparison& c);

}  // namespace arrload::compare
