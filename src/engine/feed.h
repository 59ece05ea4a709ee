#pragma once
// Which row of each feeder users take next (docs/scenario-format.md, "Feeders"). One per run,
// shared by the run's worker threads: taking a row is one relaxed atomic add, done when a user
// starts (and before its tasks with refresh: task), never per request.
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"
#include "scenario/model.h"

namespace arrload::engine {

class FeedCursors {
 public:
  // A cursor at the first row for each feeder of SUITE, which must outlive this object.
  explicit FeedCursors(const scenario::Suite& suite);
  FeedCursors(const FeedCursors&) = delete;
  FeedCursors& operator=(const FeedCursors&) = delete;

  // The row a user takes from feeder FEEDER (an index into the suite's feeders): sequential, the
  // next in file order (after the last, the first); unique, the next one nobody took in this run,
  // or nullopt once all are taken (unless the feeder wraps, then as sequential); random, a uniform
  // pick with RNG (the user's). Thread-safe.
  std::optional<std::size_t> take(int feeder, core::Rng& rng);

  // What is recorded (in the run's exceptions) when a user of CLS found its unique feeder out of
  // rows; CONSEQUENCE says what happened to the user ("did not start"). The same text for every
  // such user, so the report counts them on one line.
  std::string exhausted_message(const scenario::UserClass& cls, std::string_view consequence) const;

 private:
  const scenario::Suite& suite_;
  std::vector<std::atomic<std::uint64_t>> next_;  // per feeder: rows handed out so far
};

}  // namespace arrload::engine
