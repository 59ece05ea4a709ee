#pragma once
// Locust-compatible CSV files (--csv PREFIX): the same four files, column headers and row order
// as Locust 2.x, so existing scripts read them unchanged. Format: docs/reports.md.
#include <cstdio>
#include <string>

#include "stats/snapshot.h"

namespace arrload::report {

// Writes PREFIX_stats.csv, PREFIX_failures.csv and PREFIX_exceptions.csv from SNAP, and
// PREFIX_corrected_stats.csv when the run had a schedule (stats::has_schedule).
// Throws std::runtime_error naming the file when one cannot be written.
void write_final_csv(const std::string& prefix, const stats::Snapshot& snap);

// PREFIX_stats_history.csv, written a row block per second while the run goes on and flushed
// each time, so an interrupted run keeps its history.
class HistoryCsv {
 public:
  // Creates the file and writes the header. FULL_HISTORY adds a row per endpoint each second.
  HistoryCsv(const std::string& prefix, bool full_history);
  ~HistoryCsv();
  HistoryCsv(const HistoryCsv&) = delete;
  HistoryCsv& operator=(const HistoryCsv&) = delete;

  // Appends the rows for SNAP (its taken_unix is the row's timestamp).
  void append(const stats::Snapshot& snap);

 private:
  std::FILE* file_ = nullptr;
  bool full_history_;
};

// Cell writers, shared with the web UI's CSV downloads (later).
std::string stats_csv(const stats::Snapshot& snap);
// stats_csv's header and rows with the times corrected for coordinated omission
// (stats/corrected.h): Request Count counts the corrected samples (requests sent on schedule,
// plus the starts a busy user missed), the times are theirs; Failure Count, Average Content Size,
// Requests/s and Failures/s are the requests sent, as in stats_csv.
std::string corrected_stats_csv(const stats::Snapshot& snap);
std::string failures_csv(const stats::Snapshot& snap);
std::string exceptions_csv(const stats::Snapshot& snap);
std::string history_csv_header();
std::string history_csv_rows(const stats::Snapshot& snap, bool full_history);

}  // namespace arrload::report
