#pragma once
// The console tables, laid out like Locust's: the live stats table, the response-time
// percentiles and the error report.
#include <string>

#include "stats/snapshot.h"

namespace arrload::report {

// Locust's live table: Type, Name, # reqs, # fails (%), Avg, Min, Max, Med, req/s, failures/s.
// The rates are the recent window's (as Locust's live table shows); with WHOLE_RUN they are the
// whole run's averages, the figures of the CSV and JSON reports (the final summary's).
std::string stats_table(const stats::Snapshot& snap, bool whole_run = false);
// "Response time percentiles (approximated)" table.
std::string percentiles_table(const stats::Snapshot& snap);
// Corrected next to service times for every endpoint with scheduled samples and Aggregated
// (stats/corrected.h): samples, late starts, then 50%, 95%, 99% and Max each as service time and
// corrected; then the dropped iterations. Empty string when the run had no schedule.
std::string corrected_table(const stats::Snapshot& snap);
// "Error report" table; empty string when there were no failures.
std::string error_report(const stats::Snapshot& snap);
// The final summary: stats table (whole-run rates), percentiles, the corrected table (when the
// run had a schedule), errors, exceptions.
std::string final_summary(const stats::Snapshot& snap);

}  // namespace arrload::report
