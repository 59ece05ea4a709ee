// Parsing of feeder data files: CSV/TSV (RFC 4180) and JSON lines, and their errors with lines.
#include "scenario/feeder.h"

#include <gtest/gtest.h>

namespace arrload::scenario {
namespace {

// The table as rows of cells, for whole-table comparisons.
std::vector<std::vector<std::string>> cells(const FeedTable& t) {
  std::vector<std::vector<std::string>> out;
  for (std::size_t r = 0; r < t.rows(); ++r) {
    out.emplace_back();
    for (std::size_t c = 0; c < t.columns().size(); ++c) out.back().emplace_back(t.cell(r, c));
  }
  return out;
}

using Rows = std::vector<std::vector<std::string>>;
using Names = std::vector<std::string>;

// The error parsing TEXT gives, as "LINE: message".
std::string error_of(std::string_view text, FeedFormat format = FeedFormat::kCsv) {
  try {
    parse_feed(text, format);
  } catch (const FeedFileError& e) {
    return std::to_string(e.line()) + ": " + e.what();
  }
  return "<no error>";
}

TEST(FeedCsv, HeaderNamesColumnsAndRowsKeepTheirOrder) {
  FeedTable t = parse_feed("user,password\nalice,a1\nbob,b2\n", FeedFormat::kCsv);
  EXPECT_EQ(t.columns(), (Names{"user", "password"}));
  EXPECT_EQ(cells(t), (Rows{{"alice", "a1"}, {"bob", "b2"}}));
  EXPECT_EQ(t.column("password"), 1u);
  EXPECT_EQ(t.column("nope"), std::nullopt);
}

TEST(FeedCsv, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  FeedTable t = parse_feed(
      "name,note\n"
      "\"Smith, J\",\"say \"\"hi\"\"\"\n"
      "x,\"two\nlines\"\n"
      "\"\",\n",
      FeedFormat::kCsv);
  EXPECT_EQ(cells(t), (Rows{{"Smith, J", "say \"hi\""}, {"x", "two\nlines"}, {"", ""}}));
}

TEST(FeedCsv, CrlfBomBlankLinesAndNoFinalNewline) {
  FeedTable t =
      parse_feed("\xEF\xBB\xBFuser , pw\r\n\r\nalice,\"a\r\nb\"\r\n\r\nbob,b2", FeedFormat::kCsv);
  EXPECT_EQ(t.columns(), (Names{"user", "pw"})) << "BOM skipped, header names trimmed";
  EXPECT_EQ(cells(t), (Rows{{"alice", "a\r\nb"}, {"bob", "b2"}}));
}

TEST(FeedCsv, ValuesKeepTheirSpaces) {
  FeedTable t = parse_feed("a,b\n x , y\n", FeedFormat::kCsv);
  EXPECT_EQ(cells(t), (Rows{{" x ", " y"}}));
}

TEST(FeedCsv, TabSeparated) {
  FeedTable t = parse_feed("q\tn\nDune, Part Two\t2\n\"a\tb\"\t3\n", FeedFormat::kTsv);
  EXPECT_EQ(cells(t), (Rows{{"Dune, Part Two", "2"}, {"a\tb", "3"}}));
}

TEST(FeedCsv, ManyRowsShareOneBuffer) {
  std::string text = "id,sq\n";
  for (int i = 0; i < 10'000; ++i) text += std::to_string(i) + "," + std::to_string(i * i) + "\n";
  FeedTable t = parse_feed(text, FeedFormat::kCsv);
  ASSERT_EQ(t.rows(), 10'000u);
  EXPECT_EQ(t.cell(0, 0), "0");
  EXPECT_EQ(t.cell(9'999, 1), "99980001");
}

TEST(FeedCsv, ErrorsNameTheLine) {
  EXPECT_EQ(error_of(""), "0: the file is empty (expected a header row naming the columns)");
  EXPECT_EQ(error_of("\xEF\xBB\xBF\r\n\n"),
            "0: the file is empty (expected a header row naming the columns)");
  EXPECT_EQ(error_of("user,pw\n"), "1: a header row but no rows of data");
  EXPECT_EQ(error_of("user,pw\nalice,a1\nbob\n"),
            "3: 1 field, but the header row (line 1) has 2 columns: user, pw");
  EXPECT_EQ(error_of("a,b\n1,2,3\n"),
            "2: 3 fields, but the header row (line 1) has 2 columns: a, b");
  // Lines inside a quoted field count, so the ragged record is found where an editor shows it.
  EXPECT_EQ(error_of("a,b\n\"x\ny\nz\",1\n\n2\n"),
            "6: 1 field, but the header row (line 1) has 2 columns: a, b");
  EXPECT_EQ(error_of("a,b\n1,\"open\n2,3\n"),
            "2: a quoted field is never closed (a '\"' is missing)");
  EXPECT_EQ(error_of("a,b\n1,ab\"c\n").substr(0, 39), "2: a quote inside an unquoted field (qu");
  EXPECT_EQ(error_of("a,b\n1,\"ab\"c\n").substr(0, 40), "2: text after the closing quote of a fie");
  EXPECT_EQ(error_of("a,,b\n1,2,3\n"), "1: column 2 of the header row has no name");
  EXPECT_EQ(error_of("a, a\n1,2\n"), "1: column 'a' appears twice in the header row");
}

TEST(FeedJsonLines, KeysAreColumnsAndValuesAreText) {
  FeedTable t = parse_feed(
      "{\"user\": \"alice\", \"age\": 30, \"admin\": true, \"tags\": [\"a\"], \"x\": null}\n"
      "{\"x\": {\"k\": 1}, \"tags\": [], \"admin\": false, \"age\": 1.5, \"user\": \"b\\\"ob\"}\n",
      FeedFormat::kJsonLines);
  EXPECT_EQ(t.columns(), (Names{"user", "age", "admin", "tags", "x"}));
  EXPECT_EQ(cells(t), (Rows{{"alice", "30", "true", "[\"a\"]", ""},
                            {"b\"ob", "1.5", "false", "[]", "{\"k\":1}"}}));
}

TEST(FeedJsonLines, CrlfBomAndBlankLines) {
  FeedTable t = parse_feed("\xEF\xBB\xBF{\"q\": \"Dune\"}\r\n\r\n  \n{\"q\": \"Heat\"}",
                           FeedFormat::kJsonLines);
  EXPECT_EQ(cells(t), (Rows{{"Dune"}, {"Heat"}}));
}

TEST(FeedJsonLines, ErrorsNameTheLine) {
  const auto jsonl = FeedFormat::kJsonLines;
  EXPECT_EQ(error_of("", jsonl), "0: the file is empty (expected one JSON object a line)");
  EXPECT_EQ(error_of("{\"a\": 1}\n\n{\"a\": 2,}\n", jsonl).substr(0, 19), "3: not valid JSON: ");
  EXPECT_EQ(error_of("{\"a\": 1}\n[1, 2]\n", jsonl).substr(0, 22), "2: not a JSON object (");
  EXPECT_EQ(error_of("{}\n", jsonl), "1: the first object has no keys (the columns)");
  EXPECT_EQ(error_of("{\"a\": 1, \"b\": 2}\n{\"a\": 3}\n", jsonl),
            "2: no key 'b' (every line has the keys of the first line: a, b)");
  EXPECT_EQ(error_of("{\"a\": 1}\n{\"a\": 3, \"c\": 4}\n", jsonl),
            "2: key 'c' is not in the first line (every line has the keys of the first line: a)");
}

TEST(FeederSummary, SaysWhatTheFeederHandsOut) {
  Feeder f;
  f.file = "accounts.csv";
  f.table = std::make_shared<const FeedTable>(parse_feed("user,pw\na,1\nb,2\n", FeedFormat::kCsv));
  f.order = Feeder::Order::kUnique;
  EXPECT_EQ(feeder_summary(f),
            "accounts.csv: 2 rows, columns user, pw; unique (error when out of rows), one row "
            "per user");
  f.order = Feeder::Order::kRandom;
  f.refresh = Feeder::Refresh::kTask;
  EXPECT_EQ(feeder_summary(f),
            "accounts.csv: 2 rows, columns user, pw; random, a new row for "
            "each task");
}

}  // namespace
}  // namespace arrload::scenario
