// A body written to its final path whole, seen complete or not at all: the
// archive writer's small files (archive_sink.cpp), and bench/archive_write,
// which times the two ways against each other. Both block on the disk: pool
// threads only, never the loop thread.
#pragma once

#include <string>
#include <string_view>

namespace uvscrape::driver {

// An unnamed file (O_TMPFILE) in the final directory, given its name once
// written: one change to the directory, where a named temporary file and a
// rename are two -- each under the directory's lock, which every pool thread
// writing into that directory waits for (bench/archive_write: 0.56-0.81x the
// CPU on ext4 for 2,000 files of 32 KiB). False, with nothing left behind,
// where that cannot be done: no O_TMPFILE on this filesystem, no /proc to
// name the file by, a file already at `final_path` (a link does not replace
// one), an error. Then write_renamed() does it, and says what failed.
bool write_linked(const std::string& final_path, std::string_view body);

// A named temporary file in `temp_dir` (same filesystem as `final_path`),
// renamed over `final_path` once written and closed. "" when done; else what
// failed, with the system's reason, and no temporary file is left.
std::string write_renamed(const std::string& temp_dir, const std::string& final_path,
                          std::string_view body);

}  // namespace uvscrape::driver
