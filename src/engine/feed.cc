#include "engine/feed.h"

#include <random>

#include <fmt/format.h>

namespace arrload::engine {

FeedCursors::FeedCursors(const scenario::Suite& suite)
    : suite_(suite), next_(suite.feeders.size()) {}

std::optional<std::size_t> FeedCursors::take(int feeder, core::Rng& rng) {
  const scenario::Feeder& f = suite_.feeders[static_cast<std::size_t>(feeder)];
  const std::uint64_t rows = f.table->rows();
  if (f.order == scenario::Feeder::Order::kRandom) {
    std::uniform_int_distribution<std::uint64_t> pick(0, rows - 1);
    return static_cast<std::size_t>(pick(rng));
  }
  // Relaxed is enough: the count is the only shared state, and each value is handed out once.
  const std::uint64_t n =
      next_[static_cast<std::size_t>(feeder)].fetch_add(1, std::memory_order_relaxed);
  if (f.order == scenario::Feeder::Order::kUnique && !f.wrap && n >= rows) return std::nullopt;
  return static_cast<std::size_t>(n % rows);
}

std::string FeedCursors::exhausted_message(const scenario::UserClass& cls,
                                           std::string_view consequence) const {
  const scenario::Feeder& f = suite_.feeders[static_cast<std::size_t>(cls.feeder)];
  const std::size_t rows = f.table->rows();
  // With refresh: task the rows go to tasks, so fewer users would not help.
  return fmt::format(
      "feeder '{}' ran out of rows: order: unique gives each of the {} row{} of {} once per run, "
      "and all are taken; a user of class {} {} (add rows, {}or set on_exhausted: wrap)",
      f.name, rows, rows == 1 ? "" : "s", f.file, cls.name, consequence,
      f.refresh == scenario::Feeder::Refresh::kTask ? "" : "start fewer users, ");
}

}  // namespace arrload::engine
