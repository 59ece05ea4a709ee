#include "cluster/process_usage.h"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>

namespace arrload::cluster {

ProcessUsage::ProcessUsage()
    : last_wall_(std::chrono::steady_clock::now()), last_cpu_(cpu_seconds()) {}

double ProcessUsage::cpu_percent() {
  const auto now = std::chrono::steady_clock::now();
  const double cpu = cpu_seconds();
  const double wall = std::chrono::duration<double>(now - last_wall_).count();
  const double out = wall > 0 ? 100.0 * (cpu - last_cpu_) / wall : 0;
  last_wall_ = now;
  last_cpu_ = cpu;
  return out;
}

std::uint64_t ProcessUsage::rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

double ProcessUsage::cpu_seconds() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

}  // namespace arrload::cluster
