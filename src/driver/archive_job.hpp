// Runs a user's on_archive(content, url, expected_type, storage_dir) -> path
// callback on the libuv thread pool (docs/design.md §14), so a slow disk or a slow
// callback never stalls the loop. `done` runs on the loop thread with the path or
// the exception the callback threw.
#pragma once

#include <uv.h>

#include <exception>
#include <functional>
#include <string>

namespace uvscrape::driver {

using ArchiveCallback =
    std::function<std::string(const std::string& content, const std::string& url,
                              const std::string& expected_type, const std::string& storage_dir)>;

void run_archive_callback(uv_loop_t* loop, const ArchiveCallback& callback, std::string content,
                          std::string url, std::string expected_type, std::string storage_dir,
                          std::function<void(std::string path, std::exception_ptr error)> done);

}  // namespace uvscrape::driver
