#pragma once
// Which base URL each user class targets: --host wins over the suite's host; a class's own host
// wins over both, as in Locust.
#include <string>
#include <vector>

#include "http/url.h"
#include "scenario/model.h"

namespace arrload::engine {

// The base URL of each of SUITE's classes, in class order, with HOST as --host ("" = none).
// Throws std::invalid_argument naming the URL when one is not a usable http(s)/ws(s) URL, and
// (with REQUIRE_HOST) when a class has no host at all.
std::vector<http::Url> class_urls(const scenario::Suite& suite, const std::string& host,
                                  bool require_host = true);

// class_urls without requiring a host: a missing one is not an error here (the run asks for
// one), an unusable one throws std::invalid_argument. `validate` and `run` check alike.
void check_hosts(const scenario::Suite& suite, const std::string& host);

}  // namespace arrload::engine
