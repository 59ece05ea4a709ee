#include "monitor/preflight.h"

#include <fmt/format.h>

#include "core/redact.h"
#include "monitor/http_get.h"

namespace arrload::monitor {
namespace {

constexpr std::size_t kBodyExcerpt = 200;  // characters of an error body a message quotes

// The body as one line: control characters (newlines of a pretty-printed body) become spaces.
std::string excerpt(const std::string& body) {
  std::string out = body.substr(0, kBodyExcerpt);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  if (body.size() > kBodyExcerpt) out += "...";
  return out;
}

std::string failure_message(const HttpGetResult& r, std::chrono::milliseconds timeout) {
  using core::NetError;
  switch (r.error) {
    case NetError::kNone:
      if (r.body.empty()) return fmt::format("status {} (empty body)", r.status);
      return fmt::format("status {} (body: {})", r.status, excerpt(r.body));
    case NetError::kConnectionRefused:
      return "connection refused to " + r.authority;
    case NetError::kResolve:
      return fmt::format("cannot resolve host '{}'", r.host);
    case NetError::kTimeout:
      return "timed out after " + format_timeout(timeout);
    case NetError::kConnectionReset:
      return fmt::format("connection to {} closed or reset before the response ({})", r.authority,
                         r.error_detail);
    case NetError::kTls:
      return fmt::format("TLS failure with {} ({})", r.authority, r.error_detail);
    case NetError::kProtocol:
      return fmt::format("invalid HTTP response from {} ({})", r.authority, r.error_detail);
    case NetError::kAborted:
    case NetError::kTooManyRedirects:
    case NetError::kBadRedirect:
    case NetError::kContentDecoding:
    case NetError::kIncomplete:
    case NetError::kBodyTooLarge:
    case NetError::kOther:
      break;
  }
  return fmt::format("network error with {} ({})", r.authority, r.error_detail);
}

}  // namespace

std::string format_timeout(std::chrono::milliseconds timeout) {
  const auto ms = timeout.count();
  if (ms % 1000 == 0) return fmt::format("{} s", ms / 1000);
  if (ms < 1000) return fmt::format("{} ms", ms);
  return fmt::format("{:g} s", static_cast<double>(ms) / 1000.0);
}

PreflightResult check_health(const std::string& url, std::chrono::milliseconds timeout,
                             const std::function<bool()>& stop) {
  PreflightResult result;
  HttpGetResult r = http_get(url, timeout, stop);
  if (!r.valid_url) {
    result.message = fmt::format("invalid URL '{}'", core::redact(url));
    return result;
  }
  result.status = r.status;
  result.latency_ms = r.latency_ms;
  result.ok = r.error == core::NetError::kNone && r.status == 200;
  // The body excerpt and the URL may show a key: masked here, before any report sees them.
  result.message = result.ok ? fmt::format("status 200 in {:.1f} ms", r.latency_ms)
                             : core::redact(failure_message(r, timeout));
  return result;
}

}  // namespace arrload::monitor
