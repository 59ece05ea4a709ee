#include "scenario/pattern.h"

#include <stdexcept>

#include <boost/regex.hpp>

namespace arrload::scenario {

struct Pattern::Compiled {
  boost::regex re;
};

Pattern::Pattern(std::string source) : source_(std::move(source)) {
  try {
    compiled_ = std::make_shared<Compiled>(Compiled{boost::regex(source_, boost::regex::perl)});
  } catch (const boost::regex_error& e) {
    throw std::invalid_argument("bad regular expression '" + source_ + "': " + e.what());
  }
}

bool Pattern::search(std::string_view text, std::string* capture) const {
  boost::match_results<std::string_view::const_iterator> m;
  try {
    if (!boost::regex_search(text.begin(), text.end(), m, compiled_->re)) return false;
  } catch (const std::runtime_error&) {
    return false;  // Boost.Regex gives up on a search that would take too long
  }
  if (capture != nullptr) {
    const auto& group = m.size() > 1 && m[1].matched ? m[1] : m[0];
    capture->assign(group.first, group.second);
  }
  return true;
}

}  // namespace arrload::scenario
