#include "cli/run_support.h"

#include <openssl/sha.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "budget/verdict.h"
#include "core/duration.h"
#include "core/log_ring.h"
#include "core/output_file.h"
#include "core/redact.h"

namespace arrload::cli {

std::atomic<int> g_signal{0};
std::atomic<int> g_signal_count{0};

namespace {
std::FILE* g_log_file = nullptr;  // --logfile; null: stderr
}  // namespace

int level_rank(const std::string& level) {
  static const char* kLevels[] = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"};
  for (int i = 0; i < 5; ++i) {
    if (level == kLevels[i]) return i;
  }
  return 1;
}

void log_line(const std::string& level, std::string_view text) {
  std::time_t t = std::time(nullptr);
  char stamp[32];
  std::tm local{};
  localtime_r(&t, &local);  // log_line runs on the worker threads too (-L DEBUG)
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
  // Masked here, the one way into the console, --logfile and the web UI's /logs.
  std::string line = fmt::format("[{}] {}: {}", stamp, level, core::redact(text));
  std::FILE* to = g_log_file != nullptr ? g_log_file : stderr;
  fmt::print(to, "{}\n", line);
  std::fflush(to);
  core::LogRing::process().add(std::move(line));
}

std::optional<std::string> open_log_file(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  std::string error;
  std::FILE* f = core::open_output_file(path, /*append=*/true, &error);
  if (f == nullptr) return error;
  g_log_file = f;  // open until the process exits
  return std::nullopt;
}

std::vector<std::string> split_list(const std::vector<std::string>& raw) {
  std::vector<std::string> out;
  for (const auto& item : raw) {
    std::size_t start = 0;
    while (start <= item.size()) {
      std::size_t comma = item.find(',', start);
      std::string part =
          item.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!part.empty()) out.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

std::optional<std::chrono::microseconds> duration_option(std::string_view option,
                                                         const std::string& text, bool allow_zero) {
  auto d = core::parse_duration(text);
  if (d && !allow_zero && d->count() == 0) {
    fmt::print(stderr, "arrload: {}: must be longer than 0 (e.g. 10s, 90s, 10m, 1h30m)\n", option);
    return std::nullopt;
  }
  if (!d) {
    fmt::print(stderr, "arrload: {}: '{}' is not a duration (use e.g. 10s, 90s, 10m, 1h30m)\n",
               option, text);
    return std::nullopt;
  }
  return d;
}

void make_parent_dirs(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
}

std::string scenario_fingerprint(const std::string& scenario,
                                 const std::vector<std::pair<std::string, std::string>>& files,
                                 const std::vector<scenario::Feeder>& feeders) {
  namespace fs = std::filesystem;
  std::vector<std::pair<std::string, std::string>> named = files;
  if (named.empty()) {
    std::vector<fs::path> paths;
    std::error_code ec;
    if (fs::is_directory(scenario, ec)) {
      for (const fs::directory_entry& e : fs::directory_iterator(scenario, ec)) {
        const std::string ext = e.path().extension().string();
        if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) paths.push_back(e.path());
      }
    } else {
      paths.emplace_back(scenario);
    }
    for (const fs::path& p : paths) {
      std::ifstream in(p, std::ios::binary);
      if (!in) return "unreadable";
      std::ostringstream text;
      text << in.rdbuf();
      named.emplace_back(p.filename().string(), text.str());
    }
  }
  std::sort(named.begin(), named.end());
  std::string all;
  for (const auto& [name, text] : named) {
    all += fmt::format("{}\n{}\n{}\n", name, text.size(), text);
  }
  for (const scenario::Feeder& f : feeders) {
    all += fmt::format("feeder {}\n{}\n{}\n", f.name, f.file, f.sha256);
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(all.data()), all.size(), digest);
  std::string hex;
  for (int i = 0; i < 8; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

const char* reason_name(engine::StopReason r) {
  switch (r) {
    case engine::StopReason::kRunTime:
      return "run_time";
    case engine::StopReason::kSignal:
      return "signal";
    case engine::StopReason::kRequested:
      return "requested";
    case engine::StopReason::kFailed:
      return "failed";
  }
  return "unknown";
}

namespace {

// The second signal's backstop: whatever still runs (a report on a stuck disk, a wedged thread)
// does not keep the process alive.
void on_deadline(int) {
  static const char kMessage[] =
      "arrload: second signal: the reports were not all written within 2 s; exiting now\n";
  ssize_t ignored = ::write(2, kMessage, sizeof kMessage - 1);
  (void)ignored;
  ::_exit(budget::kExitInterrupted);
}

void on_early_signal(int signo) { note_signal(signo); }

}  // namespace

void note_signal(int signo) {
  int expected = 0;
  g_signal.compare_exchange_strong(expected, signo);
  if (g_signal_count.fetch_add(1) + 1 == 2) {
    struct sigaction sa {};
    sa.sa_handler = on_deadline;
    ::sigemptyset(&sa.sa_mask);
    ::sigaction(SIGALRM, &sa, nullptr);
    ::alarm(kSecondSignalDeadlineSeconds);
  }
}

void catch_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_early_signal;
  ::sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace arrload::cli
