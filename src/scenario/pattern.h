#pragma once
// A regular expression written in a scenario (body_matches:, extract: {regex: ...}), compiled once
// at load. Perl syntax (Boost.Regex, header-only); the regex library stays in pattern.cc.
//
// Threading: search() is const and safe from several threads at once.
#include <memory>
#include <string>
#include <string_view>

namespace arrload::scenario {

class Pattern {
 public:
  // Throws std::invalid_argument with the library's reason when SOURCE is not a valid pattern.
  explicit Pattern(std::string source);

  // Searches TEXT for the first match. When CAPTURE is not null it receives the first capture
  // group, or the whole match when the pattern has no group. False when nothing matched (or the
  // search gave up on a pathological pattern).
  bool search(std::string_view text, std::string* capture = nullptr) const;

  const std::string& source() const { return source_; }

 private:
  struct Compiled;
  std::string source_;
  std::shared_ptr<const Compiled> compiled_;  // shared: Requests are copied while loading
};

}  // namespace arrload::scenario
