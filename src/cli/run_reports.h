#pragma once
// The last phase of `arrload run`: the report files it was asked for, each written from the
// run's frozen final snapshot and nothing else, so the same calls serve a run that never sent a
// request (a failed pre-flight) and, later, a master writing merged statistics.
//
// REQUIRES: the folders of the files exist (run_one makes them before any load, so that a path
// that cannot be written stops the run before it starts).
#include <optional>
#include <string>

#include "cli/run_command.h"
#include "report/csv.h"
#include "report/history.h"
#include "report/html.h"
#include "stats/snapshot.h"

namespace arrload::monitor {
class MemorySampler;
}

namespace arrload::cli {

// Makes the folders of every report file CMD asks for and checks each file can be written
// there (not a directory, a writable folder), before any load. Returns what is wrong, naming
// the option ("--html: results: is a directory; give a file name"), or nullopt.
std::optional<std::string> check_report_paths(const RunCommand& cmd);

// The statistics files: the final CSV files (with HISTORY's last row, when kept) and the
// target's memory CSV (when MEMORY is not null). Written before the verdict's slow parts (the
// recovery probe), so an interruption there cannot cost them. Prints what failed and returns
// false when a file could not be written.
bool write_stats_files(const RunCommand& cmd, const stats::Snapshot& snap,
                       report::HistoryCsv* history, const monitor::MemorySampler* memory);

// The judged files: --json, --html (from PAGE, its info and history set; its snap is set here)
// and --junit. Each is tried even when another failed. Prints what failed and returns false
// when any could not be written.
bool write_judged_files(const RunCommand& cmd, const stats::Snapshot& snap, report::HtmlReport page,
                        const monitor::MemorySampler* memory);

}  // namespace arrload::cli
