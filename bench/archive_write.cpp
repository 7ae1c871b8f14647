// The two ways the archive writer puts a small file in place whole
// (src/driver/whole_file.hpp): an unnamed file (O_TMPFILE) linked to its name,
// what it does where it can, and a named temporary file renamed to its name,
// what it does otherwise. Writes FILES files of
// KIB KiB with THREADS threads (libuv's pool has 4) into a new directory,
// each way in turn, ROUNDS times, and prints the medians of wall and CPU
// (user + system: the work is the kernel's).
//
//   archive_write [FILES] [KIB] [THREADS] [ROUNDS] [DIR]   (default 2000 32 4 7 $TMPDIR)
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "driver/whole_file.hpp"

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Figures {
  double wall = 0, cpu = 0;
};

// `write(path)` puts one file at `path`; false if it failed. Writes `files`
// of them into `dir`, a new directory.
template <class Write>
Figures run(Write write, const std::string& dir, int files, int threads) {
  if (::mkdir(dir.c_str(), 0755) != 0) {
    std::fprintf(stderr, "archive_write: cannot create %s: %s\n", dir.c_str(),
                 std::strerror(errno));
    std::exit(1);
  }
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  const double cpu0 = cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (int i; (i = next++) < files;)
        if (!write(dir + "/" + std::to_string(i) + ".pdf")) failed = true;
    });
  for (auto& t : pool) t.join();
  Figures f;
  f.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  f.cpu = cpu_seconds() - cpu0;
  if (failed) {
    std::fprintf(stderr, "archive_write: a write into %s failed\n", dir.c_str());
    std::exit(1);
  }
  return f;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  const int files = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int kib = argc > 2 ? std::atoi(argv[2]) : 32;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 4;
  const int rounds = argc > 4 ? std::atoi(argv[4]) : 7;
  const char* tmp = std::getenv("TMPDIR");
  const std::string base = argc > 5 ? argv[5] : (tmp ? tmp : "/tmp");
  if (files <= 0 || kib < 0 || threads <= 0 || rounds <= 0) {
    std::fprintf(stderr, "usage: archive_write [FILES] [KIB] [THREADS] [ROUNDS] [DIR]\n");
    return 2;
  }
  const std::string body(static_cast<size_t>(kib) * 1024, 'x');
  const std::string root = base + "/archive-write-" + std::to_string(getpid());
  if (::mkdir(root.c_str(), 0755) != 0) {
    std::fprintf(stderr, "archive_write: cannot create %s: %s\n", root.c_str(),
                 std::strerror(errno));
    return 1;
  }
  // Alternated, each round in new directories: the filesystem's state (its
  // free inodes, what was deleted lately) weighs on both ways alike. The
  // files stay until the end, so no round reuses another's freed inodes.
  std::vector<double> rename_wall, rename_cpu, link_wall, link_cpu;
  for (int r = 0; r < rounds; ++r) {
    const std::string renamed_dir = root + "/rename-" + std::to_string(r);
    const Figures a = run(
        [&](const std::string& path) {
          return uvscrape::driver::write_renamed(renamed_dir, path, body).empty();
        },
        renamed_dir, files, threads);
    const Figures b =
        run([&](const std::string& path) { return uvscrape::driver::write_linked(path, body); },
            root + "/link-" + std::to_string(r), files, threads);
    rename_wall.push_back(a.wall);
    rename_cpu.push_back(a.cpu);
    link_wall.push_back(b.wall);
    link_cpu.push_back(b.cpu);
  }
  std::printf("archive_write: %d files of %d KiB, %d threads, medians of %d rounds in %s\n", files,
              kib, threads, rounds, base.c_str());
  std::printf("  temporary file + rename:  wall %.3f s  cpu %.3f s\n", median(rename_wall),
              median(rename_cpu));
  std::printf("  O_TMPFILE + linkat:       wall %.3f s  cpu %.3f s  (cpu %.2fx the rename's)\n",
              median(link_wall), median(link_cpu), median(link_cpu) / median(rename_cpu));
  std::error_code error;
  std::filesystem::remove_all(root, error);
  return error ? 1 : 0;
}
