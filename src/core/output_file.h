#pragma once
// Opening the files arrload writes (reports, --logfile, the memory CSV): paths the user gave on
// the command line, never ones a scenario chose. Created with mode 0644 whatever the umask
// allows beyond it (never group- or world-writable), and never through a symbolic link: a link
// planted where a report will go (a shared /tmp) cannot redirect the write to another file.
#include <cstdio>
#include <string>

namespace arrload::core {

// Opens PATH for writing: truncated, or APPEND-ed to. Paths under /dev/ and /proc/ (/dev/stdout,
// /proc/self/fd/N) are opened as given. Returns null and sets *ERROR ("PATH: reason", e.g. "is a
// symbolic link; arrload does not write through one") on failure. The caller fclose()s.
std::FILE* open_output_file(const std::string& path, bool append, std::string* error);

}  // namespace arrload::core
