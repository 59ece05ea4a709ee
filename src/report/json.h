#pragma once
// The --json-file report: final statistics per endpoint and aggregated, users per class, start and
// end times. Schema: docs/reports.md.
#include <string>

#include "budget/verdict.h"
#include "stats/snapshot.h"

namespace arrload::report {

struct RunInfo {
  std::string host;                          // the base URL tested
  std::string scenario;                      // scenario file
  std::string stop_reason;                   // "run_time", "signal", "requested"
  const budget::Verdict* verdict = nullptr;  // the judge's verdict, when budgets were given
  std::string generator;                     // the generator self-check's summary line
};

std::string json_report(const stats::Snapshot& snap, const RunInfo& info);
// Writes json_report to PATH ("-" = stdout). Throws std::runtime_error naming the file.
void write_json(const std::string& path, const stats::Snapshot& snap, const RunInfo& info);

}  // namespace arrload::report
