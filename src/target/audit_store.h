#pragma once
// Configuration audits and their recommendations (POST /api/v1/config/audit and friends), kept
// in memory as the real service keeps them. Thread-safe (one mutex). Keeps the newest 1,000
// audits.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/rng.h"

namespace arrload::target {

struct Recommendation {
  long long id = 0;  // 1, 2, ... over all audits
  std::string service;
  std::string category;  // "performance", "security" or "best_practices"
  std::string priority;  // "high", "medium" or "low"
  std::string title;
  std::string description;
  std::optional<std::string> current_value;
  std::string recommended_value;
  std::string impact;
  std::optional<std::string> source;  // "best_practices" or "web_search"
  bool applied = false;
  std::optional<std::string> applied_at;  // ISO time
};

struct Audit {
  std::string audit_id;  // "audit_" + 12 hex digits
  std::string timestamp;
  std::vector<std::string> services;
  bool web_search_used = false;
  std::vector<long long> recommendation_ids;
};

struct AuditSummary {
  Audit audit;
  int applied_recommendations = 0;
};

// Optional equality filters of GET /api/v1/config/recommendations.
struct RecommendationFilter {
  std::optional<std::string> service;
  std::optional<std::string> priority;
  std::optional<std::string> category;
};

struct ApplyResult {
  long long recommendation_id = 0;
  bool success = false;
  std::string message;
  std::optional<std::string> service;
  std::optional<std::string> applied_at;
  bool dry_run = false;
};

class AuditStore {
 public:
  static constexpr std::size_t kMaxAudits = 1000;

  explicit AuditStore(std::uint64_t seed) : rng_(seed) {}

  // Audits SERVICES (REQUIRES: names from kServiceNames) at NOW; returns the audit and its new
  // recommendations (2 to 5 per service).
  std::pair<Audit, std::vector<Recommendation>> run_audit(const std::vector<std::string>& services,
                                                          bool web_search, const std::string& now);
  // The latest audit's recommendations that pass FILTER: OFFSET/LIMIT of them, and in *TOTAL
  // how many pass.
  std::vector<Recommendation> recommendations(const RecommendationFilter& filter, long long offset,
                                              long long limit, long long* total) const;
  // Audits, newest first: OFFSET/LIMIT of them, and in *TOTAL how many are kept.
  std::vector<AuditSummary> history(long long offset, long long limit, long long* total) const;
  // Marks recommendations IDS applied at NOW (unless DRY_RUN); one result per id.
  std::vector<ApplyResult> apply(const std::vector<long long>& ids, bool dry_run,
                                 const std::string& now);

 private:
  mutable std::mutex mu_;
  core::Rng rng_;                              // guarded by mu_
  long long next_id_ = 1;                      // guarded by mu_
  std::deque<Audit> audits_;                   // guarded by mu_; oldest first
  std::map<long long, Recommendation> by_id_;  // guarded by mu_; of the kept audits
};

}  // namespace arrload::target
