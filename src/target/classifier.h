#pragma once
// The query classifier that fills a content request's "classification"
// (POST /api/v1/requests/content). Pure; any thread.
#include <optional>
#include <string>
#include <string_view>

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

}  // namespace arrload::target
