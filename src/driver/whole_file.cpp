// See whole_file.hpp.
#include "driver/whole_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace uvscrape::driver {
namespace {

bool write_all(int fd, std::string_view body) {
  while (!body.empty()) {
    const ssize_t n = ::write(fd, body.data(), body.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    body.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

bool write_linked(const std::string& final_path, std::string_view body) {
  const size_t slash = final_path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : final_path.substr(0, slash);
  const int fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);  // mkstemp's mode
  if (fd < 0) return false;
  char by_fd[32];
  std::snprintf(by_fd, sizeof by_fd, "/proc/self/fd/%d", fd);
  const bool linked = write_all(fd, body) && ::linkat(AT_FDCWD, by_fd, AT_FDCWD, final_path.c_str(),
                                                      AT_SYMLINK_FOLLOW) == 0;
  // Unlinked, the file goes with its descriptor.
  if (::close(fd) != 0 && linked) {
    ::unlink(final_path.c_str());  // maybe not all written: not a file to keep
    return false;
  }
  return linked;
}

std::string write_renamed(const std::string& temp_dir, const std::string& final_path,
                          std::string_view body) {
  std::string temp = temp_dir + "/.uvscrape-XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return "cannot create a temporary file in " + temp_dir + ": " + std::strerror(errno);
  std::string failed;
  if (!write_all(fd, body)) failed = "cannot write " + temp + ": " + std::strerror(errno);
  if (::close(fd) != 0 && failed.empty())
    failed = "cannot close " + temp + ": " + std::strerror(errno);
  if (failed.empty() && ::rename(temp.c_str(), final_path.c_str()) != 0)
    failed = "cannot rename " + temp + " to " + final_path + ": " + std::strerror(errno);
  if (!failed.empty()) ::unlink(temp.c_str());
  return failed;
}

}  // namespace uvscrape::driver
