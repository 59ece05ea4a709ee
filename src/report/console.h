#pragma once
// The console tables, laid out like Locust's: the live stats table, the response-time
// percentiles and the error report.
#include <string>

#include "stats/snapshot.h"

namespace arrload::report {

// Locust's live table: Type, Name, # reqs, # fails (%), Avg, Min, Max, Med, req/s, failures/s.
std::string stats_table(const stats::Snapshot& snap);
// "Response time percentiles (approximated)" table.
std::string percentiles_table(const stats::Snapshot& snap);
// "Error report" table; empty string when there were no failures.
std::string error_report(const stats::Snapshot& snap);
// The final summary: stats table, percentiles, errors, exceptions.
std::string final_summary(const stats::Snapshot& snap);

}  // namespace arrload::report
