#include "core/output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace arrload::core {

std::FILE* open_output_file(const std::string& path, bool append, std::string* error) {
  // Device paths are links by design (/dev/stdout -> /proc/self/fd/1) and create nothing.
  const bool device = path.rfind("/dev/", 0) == 0 || path.rfind("/proc/", 0) == 0;
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
  if (!device) flags |= O_NOFOLLOW;
  const int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) {
    const int err = errno;
    if (error != nullptr) {
      *error = path + ": " +
               (err == ELOOP ? std::string("is a symbolic link; arrload does not write through one "
                                           "(remove it, or give the path it points to)")
                             : std::string(std::strerror(err)));
    }
    return nullptr;
  }
  std::FILE* f = ::fdopen(fd, append ? "a" : "w");
  if (f == nullptr) {
    if (error != nullptr) *error = path + ": " + std::strerror(errno);
    ::close(fd);
  }
  return f;
}

}  // namespace arrload::core
