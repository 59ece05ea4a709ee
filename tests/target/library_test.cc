#include "target/library.h"

#include <set>

#include <gtest/gtest.h>

#include "target/classifier.h"

namespace arrload::target {
namespace {

TEST(Library, SameSeedSameLibrary) {
  Library a(42), b(42), c(43);
  ASSERT_EQ(a.shows().size(), b.shows().size());
  for (std::size_t i = 0; i < a.shows().size(); ++i) {
    EXPECT_EQ(a.shows()[i].title, b.shows()[i].title);
    EXPECT_EQ(a.shows()[i].episode_count, b.shows()[i].episode_count);
  }
  EXPECT_EQ(a.queue().front().filename, b.queue().front().filename);
  int same = 0;
  for (std::size_t i = 0; i < a.movies().size(); ++i)
    same += a.movies()[i].title == c.movies()[i].title;
  EXPECT_LT(same, 20);
}

TEST(Library, HasRealisticContents) {
  Library lib(7);
  EXPECT_GE(lib.shows().size(), 200u);
  EXPECT_GE(lib.movies().size(), 200u);
  std::set<std::string> titles;
  for (const Show& s : lib.shows()) {
    titles.insert(s.title);
    EXPECT_GE(s.year, 1990);
    EXPECT_FALSE(s.seasons.empty());
    int episodes = 0;
    for (const Season& season : s.seasons) episodes += season.episode_count;
    EXPECT_EQ(episodes, s.episode_count);
  }
  for (const Movie& m : lib.movies()) titles.insert(m.title);
  EXPECT_EQ(titles.size(), lib.shows().size() + lib.movies().size());  // all unique
  EXPECT_EQ(lib.queue().front().status, "Downloading");
  EXPECT_FALSE(lib.history().empty());
  EXPECT_GT(lib.history().front().completed, lib.history().back().completed);
}

TEST(Library, FindsById) {
  Library lib(1, LibrarySizes{10, 5, 2, 3});
  ASSERT_NE(lib.find_show(1), nullptr);
  EXPECT_EQ(lib.find_show(10)->id, 10);
  EXPECT_EQ(lib.find_show(0), nullptr);
  EXPECT_EQ(lib.find_show(11), nullptr);
  EXPECT_EQ(lib.find_movie(5)->id, 5);
  EXPECT_EQ(lib.find_movie(-1), nullptr);
}

TEST(Classify, ExtractsWhatTheSuiteSends) {
  Classification c = classify("The Matrix 1999");
  EXPECT_EQ(c.content_type, "movie");
  EXPECT_EQ(c.title, "The Matrix");
  EXPECT_EQ(c.year, 1999);

  c = classify("Dune Part Two in 4K");
  EXPECT_EQ(c.quality, "2160p");
  EXPECT_EQ(c.title, "Dune Part Two");

  c = classify("Severance season 2");
  EXPECT_EQ(c.content_type, "tv");
  EXPECT_EQ(c.season, 2);
  EXPECT_EQ(c.title, "Severance");

  c = classify("Breaking Bad S05E14 1080p");
  EXPECT_EQ(c.season, 5);
  EXPECT_EQ(c.episode, 14);
  EXPECT_EQ(c.quality, "1080p");
  EXPECT_EQ(c.title, "Breaking Bad");
}

}  // namespace
}  // namespace arrload::target
