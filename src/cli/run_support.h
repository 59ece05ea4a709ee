#pragma once
// Small pieces every phase of `arrload run` uses: log lines, option durations, output folders,
// and the signal that interrupted a headless run. Internal to cli/.
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/runner.h"
#include "scenario/feeder.h"

namespace arrload::cli {

// 0 DEBUG, 1 INFO, 2 WARNING, 3 ERROR, 4 CRITICAL; an unknown name counts as INFO.
int level_rank(const std::string& level);
// Prints "[2026-12-07 10:00:00] LEVEL: TEXT" to stderr (or the --logfile) and keeps it for the
// web UI's /logs. Thread-safe.
void log_line(const std::string& level, std::string_view text);
// --logfile: log_line writes to PATH (appended) from now on, instead of stderr. Returns the
// reason when it cannot be opened, nullopt once it is.
std::optional<std::string> open_log_file(const std::string& path);

// Splits "-T a,b -T c" into {a, b, c}, as Locust accepts both forms.
std::vector<std::string> split_list(const std::vector<std::string>& raw);

// The duration given to OPTION; prints what to write instead and returns nullopt when TEXT is
// not one (or is zero where zero makes no sense).
std::optional<std::chrono::microseconds> duration_option(std::string_view option,
                                                         const std::string& text, bool allow_zero);

// Creates the folders PATH's file goes into.
void make_parent_dirs(const std::string& path);

// A fingerprint of the scenario SCENARIO names (a file, or a directory's YAML files) or of FILES
// (the embedded suite, {name, YAML}): 16 hex digits of a SHA-256 over the files' names (without
// their folder) and contents, and over the data files of FEEDERS (the loaded suite's: their names
// as written and their contents' digests), so a master and its workers compare what they loaded
// wherever the files sit. "unreadable" when a file cannot be read.
std::string scenario_fingerprint(const std::string& scenario,
                                 const std::vector<std::pair<std::string, std::string>>& files,
                                 const std::vector<scenario::Feeder>& feeders = {});

// "run_time", "signal", "requested": the JSON report's stop_reason.
const char* reason_name(engine::StopReason r);

// The signal (SIGINT, SIGTERM) that interrupted a headless run, 0 if none: caught outside the
// runner's own signal handling too (loading, pre-flight), so such a run still starts and stops at
// once, writing its reports, and no further profile runs.
extern std::atomic<int> g_signal;
// How many SIGINT/SIGTERM the process got, wherever they were taken (here or by a runner).
extern std::atomic<int> g_signal_count;
// Catches SIGINT/SIGTERM into g_signal (until a runner takes them, and again after it).
void catch_signals();
// Counts signal SIGNO (SIGINT, SIGTERM) taken by someone else (a runner's own signal set, the
// web UI's sigwait), as catch_signals' handler does. Async-signal-safe.
void note_signal(int signo);
// From the second signal on, the process ends within this long whatever it is doing: the run
// has ended by then (users killed, see engine::RunControl::hurry) and its reports are written;
// if they are not, the process exits with kExitInterrupted (105) without the rest.
inline constexpr int kSecondSignalDeadlineSeconds = 2;
// Whether a second signal arrived (the run ends now, nothing optional such as the recovery
// probe is waited for).
inline bool hurried() { return g_signal_count.load() >= 2; }

}  // namespace arrload::cli
