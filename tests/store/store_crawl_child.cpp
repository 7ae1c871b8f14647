// The crawler the kill -9 test runs and kills: crawls the store site at
// 127.0.0.1:<port> with a SQLite store and 16 workers, resuming whatever the
// store holds. Exit 0 when the run completed, 3 on a StoreError (its message
// on stdout), 1 otherwise.
//
//   store_crawl_child PORT STORE STORAGE_DIR [FSIZE_LIMIT_BYTES]
//
// With FSIZE_LIMIT_BYTES, files may not grow past it (RLIMIT_FSIZE): the disk
// is "full" for the store; SIGXFSZ is ignored so that the write fails instead.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "store_site.hpp"

int main(int argc, char** argv) {
  using namespace uvscrape;
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s PORT STORE STORAGE_DIR [FSIZE_LIMIT]\n", argv[0]);
    return 2;
  }
  if (argc > 4) {
    std::signal(SIGXFSZ, SIG_IGN);
    const rlim_t limit = std::strtoull(argv[4], nullptr, 10);
    struct rlimit r = {limit, limit};
    setrlimit(RLIMIT_FSIZE, &r);
  }
  store_test::StoreSiteScraper scraper(std::string("http://127.0.0.1:") + argv[1]);
  DriverOptions o;
  o.num_workers = 16;
  o.store_path = argv[2];
  o.storage_dir = argv[3];
  o.max_retries = 200;  // every kill of an in-flight request counts an attempt
  o.retry_backoff_base = std::chrono::milliseconds(2);
  o.retry_backoff_cap = std::chrono::milliseconds(10);
  // At most 800 requests a second: the crawl lasts a few seconds however fast
  // the machine, so the test's kills land all over it.
  o.per_host.rate = 800;
  o.per_host.burst = 16;
  Driver driver(scraper, o);
  unsigned long items = 0;
  driver.on_data = [&](const Json&) { ++items; };
  try {
    const RunResult r = driver.run();
    std::printf("status %s items %lu resumed %d finished %d failures %zu\n", to_string(r.status),
                items, r.resumed ? 1 : 0, r.already_finished ? 1 : 0, r.failures.size());
    return r.status == RunStatus::completed && r.failures.empty() ? 0 : 1;
  } catch (const StoreError& e) {
    std::printf("items %lu StoreError: %s\n", items, e.what());
    return 3;
  } catch (const std::exception& e) {
    std::printf("error: %s\n", e.what());
    return 1;
  }
}
