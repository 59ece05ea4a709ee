#pragma once
// `arrload run` without --headless: the web UI steers the runs (Locust's default mode).
#include "budget/budget.h"
#include "cli/run_command.h"
#include "scenario/model.h"

namespace arrload::cli {

// Serves the web UI on CMD.web_host:CMD.web_port until SIGINT/SIGTERM; each start from the UI
// (or --autostart) runs SUITE as `arrload run --headless` would, writing the same reports.
// Returns the exit status of the last run (0 when none ran), or 1 when the UI cannot listen.
int execute_web(const RunCommand& cmd, const scenario::Suite& suite,
                const budget::Budgets& budgets);

}  // namespace arrload::cli
