#include "cli/run_reports.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "budget/verdict.h"
#include "monitor/memory.h"
#include "report/csv.h"
#include "report/json.h"
#include "report/verdict.h"

namespace arrload::cli {

namespace {

// Runs WRITE; prints the error and returns false when it throws.
template <typename F>
bool attempt(F&& write) {
  try {
    write();
    return true;
  } catch (const std::exception& e) {
    fmt::print(stderr, "arrload: {}\n", e.what());
    return false;
  }
}

// What keeps FILE (given to OPTION) from being written, after making its folder; nullopt when
// nothing. The file itself is not created: a run that stops before its end leaves no empty one.
std::optional<std::string> unwritable(const char* option, const std::string& file) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(file, ec)) {
    return fmt::format("{}: {}: is a directory; give a file name", option, file);
  }
  const fs::path folder = fs::path(file).parent_path();
  if (!folder.empty()) {
    fs::create_directories(folder, ec);
    if (ec)
      return fmt::format("{}: cannot create the folder {}: {}", option, folder.string(),
                         ec.message());
  }
  const std::string dir = folder.empty() ? "." : folder.string();
  if (!fs::is_directory(dir, ec)) return fmt::format("{}: {} is not a folder", option, dir);
  if (fs::exists(file, ec)) {
    if (::access(file.c_str(), W_OK) != 0)
      return fmt::format("{}: cannot write {}: {}", option, file, std::strerror(errno));
  } else if (::access(dir.c_str(), W_OK) != 0) {
    return fmt::format("{}: cannot write in {}: {}", option, dir, std::strerror(errno));
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_report_paths(const RunCommand& cmd) {
  if (!cmd.csv_prefix.empty()) {
    for (const char* suffix :
         {"_stats.csv", "_stats_history.csv", "_failures.csv", "_exceptions.csv"}) {
      if (auto e = unwritable("--csv", cmd.csv_prefix + suffix)) return e;
    }
  }
  for (auto [option, path] :
       {std::pair{"--json-file", &cmd.json_path}, std::pair{"--html", &cmd.html_path},
        std::pair{"--junit", &cmd.junit_path}}) {
    if (path->empty() || *path == "-") continue;
    if (auto e = unwritable(option, *path)) return e;
  }
  return std::nullopt;
}

bool write_stats_files(const RunCommand& cmd, const stats::Snapshot& snap,
                       report::HistoryCsv* history, const monitor::MemorySampler* memory) {
  return attempt([&] {
    if (history) history->append(snap);
    if (!cmd.csv_prefix.empty()) report::write_final_csv(cmd.csv_prefix, snap);
    if (memory && !cmd.csv_prefix.empty()) {
      std::string error;
      if (!memory->write_csv(monitor::target_memory_csv_path(cmd.csv_prefix), &error)) {
        throw std::runtime_error(error);
      }
    }
  });
}

bool write_judged_files(const RunCommand& cmd, const stats::Snapshot& snap, report::HtmlReport page,
                        const monitor::MemorySampler* memory) {
  bool ok = attempt([&] {
    if (cmd.json_path.empty()) return;
    report::write_json(cmd.json_path, snap, page.info);
  });
  // Each file on its own: a JSON file that cannot be written must not cost the page, nor the
  // reverse.
  ok &= attempt([&] {
    if (cmd.html_path.empty()) return;
    page.snap = &snap;
    std::vector<monitor::MemorySample> samples;
    if (memory) {
      samples = memory->samples();
      page.memory = &samples;
    }
    report::write_html(cmd.html_path, page);
  });
  ok &= attempt([&] {
    if (cmd.junit_path.empty()) return;
    const budget::Verdict none;
    report::write_junit(cmd.junit_path, page.info.verdict ? *page.info.verdict : none,
                        snap.elapsed_s);
  });
  return ok;
}

}  // namespace arrload::cli
