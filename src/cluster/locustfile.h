#pragma once
// The locustfile a Locust master needs to drive arrload workers running SUITE: the user classes
// with the scenario's names, weights (or fixed counts) and tags, and tasks that do nothing (the
// master only dispatches users; the workers run the scenario's own tasks).
#include <string>

#include "scenario/model.h"

namespace arrload::cluster {

// Python source for `locust -f FILE --master`. SOURCE_NAME is quoted in its header comment.
std::string locustfile_stub(const scenario::Suite& suite, const std::string& source_name);

}  // namespace arrload::cluster
