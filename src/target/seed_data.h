#pragma once
// What a fresh target holds besides the library, so its answers look like a real installation's
// from the first request: an activity log and one past configuration audit.
#include <cstdint>

#include "target/audit_store.h"
#include "target/database.h"
#include "target/library.h"

namespace arrload::target {

// Adds 400 activity entries about LIBRARY's downloads and requests, drawn from SEED, when the
// activity log is empty (a kept database keeps its own).
void seed_activity(Database& db, const Library& library, std::uint64_t seed);

// Runs one audit of all four services, dated STARTED_AT.
void seed_audit(AuditStore& audits, const std::string& started_at);

}  // namespace arrload::target
