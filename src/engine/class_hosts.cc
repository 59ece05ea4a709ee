#include "engine/class_hosts.h"

#include <stdexcept>

#include <fmt/format.h>

namespace arrload::engine {

std::vector<http::Url> class_urls(const scenario::Suite& suite, const std::string& host,
                                  bool require_host) {
  std::vector<http::Url> out;
  for (const auto& c : suite.classes) {
    const std::string& text = !c.host.empty() ? c.host : !host.empty() ? host : suite.host;
    if (text.empty()) {
      if (!require_host) continue;
      throw std::invalid_argument(
          "no host: give --host (e.g. --host http://127.0.0.1:8088) or set `host:` in the "
          "scenario");
    }
    auto url = http::Url::parse(text);
    if (!url) {
      throw std::invalid_argument(fmt::format(
          "invalid host URL '{}'{} (use http://, https://, ws:// or wss:// with a host name)", text,
          c.host.empty() ? "" : fmt::format(" of user class {}", c.name)));
    }
    out.push_back(*url);
  }
  return out;
}

void check_hosts(const scenario::Suite& suite, const std::string& host) {
  static_cast<void>(class_urls(suite, host, /*require_host=*/false));
}

}  // namespace arrload::engine
