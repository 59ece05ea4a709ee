#pragma once
// The JSON the --json-file report (json.cc) and the web API's /stats/requests (web/api.cc) have in
// common; each builds its own shape, with its own field names, on these.
#include <string_view>

#include <boost/json/object.hpp>

#include "stats/snapshot.h"

namespace arrload::report {

// Adds to O, in this order: "method", "name", "category", "num_requests", "num_failures", then
// S's min, max and mean response times in ms as "min_response_time", "max_response_time" and
// "avg_response_time", each name followed by TIME_SUFFIX ("_ms" in the report, "" in Locust's).
void add_entry_head(boost::json::object& o, const stats::EndpointStats& s,
                    std::string_view time_suffix);

// The mean response body size in bytes; 0 without requests.
double avg_content_length(const stats::Entry& e);

}  // namespace arrload::report
