#include "cli/run_reports.h"

#include <exception>
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

}  // namespace

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
