#pragma once
// This process's resource figures, from /proc (Linux), for /__target/stats and /metrics. Each
// call reads /proc afresh; 0 when a figure cannot be read.
#include <cstdint>

namespace arrload::target {

std::int64_t rss_bytes();             // resident set size
std::int64_t virtual_memory_bytes();  // virtual memory size
double cpu_seconds();                 // user + system CPU time so far
int open_fds();                       // open file descriptors

}  // namespace arrload::target
