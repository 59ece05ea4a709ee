#pragma once
// Content requests (POST /api/v1/requests/content) kept in memory for the target, and the query
// classifier that fills their "classification". Thread-safe: one mutex around the list, because
// the real service serialises these writes too (SQLite).
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"

namespace arrload::target {

// What the real service's LLM-backed classifier extracts from a free-text query.
struct Classification {
  std::string content_type;  // "movie" or "tv"
  std::string title;         // the query without year, quality and episode markers
  std::optional<int> year;
  std::optional<std::string> quality;  // "1080p", "2160p", "720p"
  std::optional<int> season;
  std::optional<int> episode;
  double confidence = 0;  // 0..1
};

// A deterministic stand-in for the classifier: keywords and patterns, no model.
Classification classify(std::string_view query);

struct ContentRequest {
  long long id = 0;            // 1, 2, ... in order of creation
  std::string correlation_id;  // "req_" + 12 hex digits
  std::string query;
  std::optional<std::string> user_id;
  Classification classification;
  std::string status;  // "submitted"
  std::string created_at;
  std::string updated_at;
};

class RequestStore {
 public:
  // SEED makes the correlation ids reproducible.
  explicit RequestStore(std::uint64_t seed) : rng_(seed) {}

  // Records a request for QUERY created at NOW (ISO time) and returns a copy of it.
  ContentRequest add(std::string query, std::optional<std::string> user_id, std::string now);
  // A copy of request ID, or nullopt.
  std::optional<ContentRequest> find(long long id) const;
  std::size_t size() const;

 private:
  mutable std::mutex mu_;
  core::Rng rng_;                      // guarded by mu_
  std::vector<ContentRequest> items_;  // guarded by mu_; items_[i].id == i + 1
};

}  // namespace arrload::target
