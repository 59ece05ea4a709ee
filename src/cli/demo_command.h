#pragma once
// `arrload demo`: the README's first command. Starts the embedded AutoArr target on a free
// loopback port, runs the AutoArr suite (scenarios/autoarr, embedded) against it, writes the
// reports under results/demo/ and stops the target.
#include "cli/run_command.h"

namespace arrload::cli {

// The demo's defaults; any run option given on the command line overrides them.
RunCommand demo_defaults();

// Runs the demo; returns the run's exit status.
int execute_demo(RunCommand cmd);

}  // namespace arrload::cli
