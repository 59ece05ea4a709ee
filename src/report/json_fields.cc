#include "report/json_fields.h"

#include <string>

namespace arrload::report {

namespace json = boost::json;

void add_entry_head(json::object& o, const stats::EndpointStats& s, std::string_view time_suffix) {
  const stats::Entry& t = s.total;
  const auto field = [time_suffix](std::string_view name) {
    return std::string(name).append(time_suffix);
  };
  o["method"] = s.key.method;
  o["name"] = s.key.name;
  o["category"] = t.category;
  o["num_requests"] = t.num_requests;
  o["num_failures"] = t.num_failures;
  o[field("min_response_time")] = static_cast<double>(t.latency.min()) / 1000.0;
  o[field("max_response_time")] = static_cast<double>(t.latency.max()) / 1000.0;
  o[field("avg_response_time")] = t.latency.mean() / 1000.0;
}

double avg_content_length(const stats::Entry& e) {
  return e.num_requests ? static_cast<double>(e.content_bytes) / static_cast<double>(e.num_requests)
                        : 0.0;
}

}  // namespace arrload::report
