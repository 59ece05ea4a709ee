#pragma once
// One load test from start to end, in its phases: options, pre-flight, the run, the verdict,
// the reports. `run`, its profiles and the web UI all come through here.
#include <optional>

#include "budget/budget.h"
#include "cli/run_command.h"
#include "scenario/model.h"

namespace arrload::cli {

// Runs one load test of SUITE (already filtered) with CMD's options and SHAPE (from a profile),
// judged against BUDGETS, and writes its reports. Returns the exit status.
int run_one(const RunCommand& cmd, const scenario::Suite* suite,
            std::optional<scenario::Shape> shape, const budget::Budgets& budgets);

}  // namespace arrload::cli
