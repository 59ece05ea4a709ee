#pragma once
// One blocking HTTP GET on a fresh connection, for the monitor's checks (pre-flight, recovery
// probes, /metrics samples). Internal to monitor/: the checks turn its result into their own.
#include <chrono>
#include <functional>
#include <string>

#include "core/net_error.h"

namespace arrload::monitor {

struct HttpGetResult {
  bool valid_url = false;  // false: URL did not parse (nothing was sent)
  std::string authority;   // "host:port" of URL, for messages ("127.0.0.1:9", "[::1]:80")
  std::string host;        // the host name or address alone
  int status = 0;          // 0 when no status arrived
  std::string body;        // the response body (up to the client's kept-body limit)
  core::NetError error = core::NetError::kNone;
  std::string error_detail;  // the system's message for error
  double latency_ms = 0;     // from before the name lookup and connect to the last body byte
};

// GETs URL ("http://host:port/path?query"; https too; no scheme means http) with TIMEOUT for the
// whole exchange, name lookup included (a lookup under way is not interrupted: the timeout is
// reported when it ends). Blocks the calling thread; uses its own io_context. Never throws for
// network failures. Thread-safe (no shared state). STOP, when given, is asked every 50 ms: once
// it returns true the exchange is aborted (error kAborted), e.g. on Ctrl-C.
HttpGetResult http_get(const std::string& url, std::chrono::milliseconds timeout,
                       const std::function<bool()>& stop = {});

// Whether http_get() would accept URL (nothing is sent).
bool is_valid_url(const std::string& url);

}  // namespace arrload::monitor
