#include "target/classifier.h"

#include <cctype>
#include <regex>

#include "core/strings.h"

namespace arrload::target {
namespace {

std::string collapse_spaces(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string erase_all(const std::string& text, const std::regex& re) {
  return std::regex_replace(text, re, " ");
}

}  // namespace

Classification classify(std::string_view query) {
  static const std::regex kEpisode(R"(\b[sS](\d{1,2})[eE](\d{1,3})\b)");
  static const std::regex kSeason(R"(\b[sS]eason\s+(\d{1,2})\b)");
  static const std::regex kYear(R"(\b(19[2-9]\d|20[0-4]\d)\b)");
  static const std::regex kQuality(R"(\b(4[kK]|2160p|1080p|720p)\b)");
  static const std::regex kTvWords(R"(\b([sS]eries|[sS]how|[eE]pisode|[sS]eason)\b)");
  static const std::regex kFiller(R"(\b([tT]he new|[mM]ovie|[fF]ilm|[sS]eries|[sS]how|in)\b)");

  Classification c;
  std::string text(query);
  std::smatch m;
  if (std::regex_search(text, m, kEpisode)) {
    c.season = std::stoi(m[1].str());
    c.episode = std::stoi(m[2].str());
  } else if (std::regex_search(text, m, kSeason)) {
    c.season = std::stoi(m[1].str());
  }
  if (std::regex_search(text, m, kYear)) c.year = std::stoi(m[1].str());
  if (std::regex_search(text, m, kQuality)) {
    const std::string q = core::to_lower(m[1].str());
    c.quality = q == "4k" ? "2160p" : q;
  }
  const bool tv = c.season.has_value() || std::regex_search(text, kTvWords);
  c.content_type = tv ? "tv" : "movie";

  for (const std::regex* re : {&kEpisode, &kSeason, &kYear, &kQuality, &kFiller}) {
    text = erase_all(text, *re);
  }
  c.title = collapse_spaces(text);
  if (c.title.empty()) c.title = collapse_spaces(query);
  c.confidence = 0.6 + (c.year ? 0.15 : 0) + (c.quality ? 0.05 : 0) + (c.season ? 0.15 : 0);
  return c;
}

}  // namespace arrload::target
