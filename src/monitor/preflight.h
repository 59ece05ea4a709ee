#pragma once
// Pre-flight: one health request before the load starts, so a run against a target that is
// down, misnamed or unhealthy fails at once with a precise reason instead of after minutes of
// errors. See docs/monitoring.md.
#include <chrono>
#include <functional>
#include <string>

namespace arrload::monitor {

struct PreflightResult {
  bool ok = false;        // status 200 arrived within the timeout
  int status = 0;         // HTTP status; 0 when none arrived
  double latency_ms = 0;  // of the request (connect included); 0 for an invalid URL
  // One line, no trailing newline. ok: "status 200 in 1.3 ms". Failed: the reason, e.g.
  // "connection refused to 127.0.0.1:9", "cannot resolve host 'x.invalid'",
  // "timed out after 5 s", "status 503 (body: {...})", "invalid URL 'htp:/x'".
  std::string message;
};

// GETs URL (a full URL: "http://127.0.0.1:8088/health"; no scheme means http) once on a fresh
// connection; ok only on status 200 within TIMEOUT (redirects are not followed). Blocks the
// calling thread (its own io_context); thread-safe; never throws. STOP: as http_get's.
PreflightResult check_health(const std::string& url, std::chrono::milliseconds timeout,
                             const std::function<bool()>& stop = {});

// "5 s", "300 ms", "1.5 s": a timeout as the messages show it.
std::string format_timeout(std::chrono::milliseconds timeout);

}  // namespace arrload::monitor
