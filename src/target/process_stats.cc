#include "target/process_stats.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>

namespace arrload::target {
namespace {

struct Statm {
  std::int64_t size_pages = 0;
  std::int64_t resident_pages = 0;
};

Statm read_statm() {
  Statm s;
  std::ifstream statm("/proc/self/statm");
  if (!(statm >> s.size_pages >> s.resident_pages)) return {};
  return s;
}

std::int64_t page_size() { return static_cast<std::int64_t>(sysconf(_SC_PAGESIZE)); }

}  // namespace

std::int64_t rss_bytes() { return read_statm().resident_pages * page_size(); }

std::int64_t virtual_memory_bytes() { return read_statm().size_pages * page_size(); }

double cpu_seconds() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  const auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

int open_fds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  int n = 0;
  while (const dirent* entry = readdir(dir)) n += entry->d_name[0] != '.';
  closedir(dir);
  return n - 1;  // the directory stream's own descriptor
}

}  // namespace arrload::target
