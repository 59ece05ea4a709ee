// Which rows users take from feeders: sequential wraps, unique gives each row once (across
// threads too), random stays in range.
#include "engine/feed.h"

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

namespace arrload::engine {
namespace {

using scenario::Feeder;

scenario::Suite suite_with(Feeder::Order order, bool wrap, int rows) {
  std::string csv = "id\n";
  for (int i = 0; i < rows; ++i) csv += std::to_string(i) + "\n";
  Feeder f;
  f.name = "accounts";
  f.file = "accounts.csv";
  f.table = std::make_shared<const scenario::FeedTable>(
      scenario::parse_feed(csv, scenario::FeedFormat::kCsv));
  f.order = order;
  f.wrap = wrap;
  scenario::Suite s;
  s.feeders.push_back(f);
  scenario::UserClass c;
  c.name = "Viewer";
  c.feeder = 0;
  s.classes.push_back(c);
  return s;
}

std::vector<std::optional<std::size_t>> take(FeedCursors& cursors, int n) {
  core::Rng rng(7);
  std::vector<std::optional<std::size_t>> out;
  for (int i = 0; i < n; ++i) out.push_back(cursors.take(0, rng));
  return out;
}

TEST(FeedCursors, SequentialStartsAgainAfterTheLastRow) {
  const scenario::Suite s = suite_with(Feeder::Order::kSequential, false, 3);
  FeedCursors cursors(s);
  using R = std::vector<std::optional<std::size_t>>;
  EXPECT_EQ(take(cursors, 7), (R{0, 1, 2, 0, 1, 2, 0}));
}

TEST(FeedCursors, UniqueGivesEachRowOnceThenNothing) {
  const scenario::Suite s = suite_with(Feeder::Order::kUnique, false, 3);
  FeedCursors cursors(s);
  using R = std::vector<std::optional<std::size_t>>;
  EXPECT_EQ(take(cursors, 5), (R{0, 1, 2, std::nullopt, std::nullopt}));
  FeedCursors next_run(s);
  core::Rng rng(1);
  EXPECT_EQ(next_run.take(0, rng), 0u) << "each run starts afresh";
  EXPECT_EQ(cursors.exhausted_message(s.classes[0], "did not start"),
            "feeder 'accounts' ran out of rows: order: unique gives each of the 3 rows of "
            "accounts.csv once per run, and all are taken; a user of class Viewer did not start "
            "(add rows, start fewer users, or set on_exhausted: wrap)");
}

TEST(FeedCursors, UniqueWithWrapStartsAgain) {
  const scenario::Suite s = suite_with(Feeder::Order::kUnique, true, 2);
  FeedCursors cursors(s);
  using R = std::vector<std::optional<std::size_t>>;
  EXPECT_EQ(take(cursors, 5), (R{0, 1, 0, 1, 0}));
}

TEST(FeedCursors, RandomPicksEveryRowAndNoOther) {
  const scenario::Suite s = suite_with(Feeder::Order::kRandom, false, 4);
  FeedCursors cursors(s);
  std::map<std::size_t, int> seen;
  for (const auto& row : take(cursors, 400)) {
    ASSERT_TRUE(row.has_value());
    ++seen[*row];
  }
  ASSERT_EQ(seen.size(), 4u);
  for (const auto& [row, n] : seen) EXPECT_GT(n, 50) << row;
}

TEST(FeedCursors, UniqueAcrossThreadsHandsEachRowToOneTaker) {
  constexpr int kRows = 20'000;
  const scenario::Suite s = suite_with(Feeder::Order::kUnique, false, kRows);
  FeedCursors cursors(s);
  std::mutex mu;
  std::multiset<std::size_t> rows;
  int none = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      core::Rng rng(static_cast<std::uint64_t>(t));
      std::vector<std::size_t> mine;
      int my_none = 0;
      for (int i = 0; i < kRows / 4 + 10; ++i) {
        if (auto row = cursors.take(0, rng)) {
          mine.push_back(*row);
        } else {
          ++my_none;
        }
      }
      std::lock_guard lock(mu);
      rows.insert(mine.begin(), mine.end());
      none += my_none;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(rows.size(), static_cast<std::size_t>(kRows));
  EXPECT_EQ(std::set<std::size_t>(rows.begin(), rows.end()).size(), rows.size()) << "no repeat";
  EXPECT_EQ(none, 40);
}

}  // namespace
}  // namespace arrload::engine
