// Feeders: their data files are read and parsed once, here, and shared read-only by every user.
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/strings.h"
#include "scenario/loader.h"
#include "scenario/loader_internal.h"

namespace arrload::scenario::detail {

namespace {

namespace fs = std::filesystem;

FeedFormat format_of(const Field& file, const std::optional<Field>& format) {
  std::string name = format ? core::to_lower(format->text())
                            : core::to_lower(fs::path(file.text()).extension().string());
  if (name.starts_with('.')) name.erase(0, 1);
  if (name == "csv") return FeedFormat::kCsv;
  if (name == "tsv" || name == "tab") return FeedFormat::kTsv;
  if (name == "jsonl" || name == "ndjson") return FeedFormat::kJsonLines;
  if (format) format->fail(fmt::format("unknown format '{}' (csv, tsv or jsonl)", format->text()));
  file.fail(
      fmt::format("cannot tell the format of '{}' from its extension (.csv, .tsv, .jsonl or "
                  ".ndjson); add format: csv, tsv or jsonl",
                  file.text()));
}

std::string read_data_file(const Field& file, const fs::path& path) {
  std::error_code ec;
  std::ifstream in;
  if (fs::is_regular_file(path, ec)) in.open(path, std::ios::binary);
  if (!in.is_open() || !in) {
    file.fail(
        fmt::format("cannot read file '{}' (looked for {}; paths are relative to the "
                    "scenario file)",
                    file.text(), fs::absolute(path, ec).string()));
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return std::move(bytes).str();
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  std::string hex;
  for (unsigned char b : digest) hex += fmt::format("{:02x}", b);
  return hex;
}

Feeder::Order order_of(const Field& f) {
  const std::string order = f.text();
  if (order == "sequential") return Feeder::Order::kSequential;
  if (order == "random") return Feeder::Order::kRandom;
  if (order == "unique") return Feeder::Order::kUnique;
  f.fail(fmt::format("unknown order '{}' (sequential, random or unique)", order));
}

bool is_feeder_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-';
  });
}

// One feeder: `NAME: FILE` or `NAME: {file:, format:, order:, on_exhausted:, refresh:}`.
Feeder load_feeder(const std::string& name, const Field& body) {
  Feeder feeder;
  feeder.name = name;
  feeder.where = fmt::format("{}:{}", body.file(), body.line());
  std::optional<Field> file;
  std::optional<Field> format;
  if (body.is_scalar()) {
    file.emplace(body);
  } else {
    body.expect_map("a data file, or a mapping with file:, order:, on_exhausted: and refresh:");
    body.check_keys({"file", "format", "order", "on_exhausted", "refresh"});
    file.emplace(body.get("file", "the data file (.csv, .tsv, .jsonl), relative to this file"));
    format = body.find("format");
    if (auto f = body.find("order")) feeder.order = order_of(*f);
    if (auto f = body.find("on_exhausted")) {
      if (feeder.order != Feeder::Order::kUnique) {
        f->fail(
            "only order: unique runs out of rows (sequential starts again at the first row, "
            "random never ends)");
      }
      const std::string what = f->text();
      if (what != "error" && what != "wrap") {
        f->fail(fmt::format("unknown on_exhausted '{}' (error or wrap)", what));
      }
      feeder.wrap = what == "wrap";
    }
    if (auto f = body.find("refresh")) {
      const std::string when = f->text();
      if (when != "user" && when != "task") {
        f->fail(
            fmt::format("unknown refresh '{}' (user: one row per user; task: a new row "
                        "before each task)",
                        when));
      }
      feeder.refresh = when == "task" ? Feeder::Refresh::kTask : Feeder::Refresh::kUser;
    }
  }
  feeder.file = file->text();
  const FeedFormat kind = format_of(*file, format);
  const fs::path path = fs::path(body.file()).parent_path() / feeder.file;
  const std::string bytes = read_data_file(*file, path);
  feeder.sha256 = sha256_hex(bytes);
  try {
    feeder.table = std::make_shared<const FeedTable>(parse_feed(bytes, kind));
  } catch (const FeedFileError& e) {
    throw ScenarioError(path.string(), e.line(), "",
                        fmt::format("{} (feeder '{}', {})", e.what(), name, feeder.where));
  }
  return feeder;
}

}  // namespace

void load_feeders(const Field& root, LoadState& state) {
  std::optional<Field> feeders = root.find("feeders");
  if (!feeders) return;
  feeders->expect_map("a mapping of feeder names to data files, as in {accounts: accounts.csv}");
  for (const auto& [name, body] : feeders->entries()) {
    if (!is_feeder_name(name)) {
      body.fail(fmt::format("bad feeder name '{}' (letters, digits, _ and -)", name));
    }
    for (const Feeder& other : state.feeders) {
      if (other.name == name) {
        body.fail(fmt::format("feeder '{}' is already declared at {}", name, other.where));
      }
    }
    state.feeders.push_back(load_feeder(name, body));
  }
}

int find_feeder(const Field& field, const LoadState& state) {
  const std::string name = field.text();
  for (std::size_t i = 0; i < state.feeders.size(); ++i) {
    if (state.feeders[i].name == name) return static_cast<int>(i);
  }
  std::string names;
  for (const Feeder& f : state.feeders) names += (names.empty() ? "" : ", ") + f.name;
  field.fail(fmt::format("unknown feeder '{}' ({})", name,
                         names.empty() ? "declare it under feeders:" : "feeders: " + names));
}

}  // namespace arrload::scenario::detail
