// A crawler process of the many-process tests: crawls the store site at
// 127.0.0.1:<port> with the Redis store at URL, joining whatever crawl is
// there. Prints one line "status S items N resumed R" and exits 0 when the
// run completed without failures, 3 on a StoreError (its message printed),
// 1 otherwise.
//
//   redis_crawl_child PORT URL STORAGE_DIR WORKERS [PER_HOST_RATE [BURST]]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "store_site.hpp"

int main(int argc, char** argv) {
  using namespace uvscrape;
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s PORT URL STORAGE_DIR WORKERS [PER_HOST_RATE [BURST]]\n",
                 argv[0]);
    return 2;
  }
  store_test::StoreSiteScraper scraper(std::string("http://127.0.0.1:") + argv[1]);
  DriverOptions o;
  o.store_path = argv[2];
  o.storage_dir = argv[3];
  o.num_workers = std::strtoul(argv[4], nullptr, 10);
  o.max_retries = 50;
  o.retry_backoff_base = std::chrono::milliseconds(2);
  o.retry_backoff_cap = std::chrono::milliseconds(10);
  if (argc > 5) {
    o.per_host.rate = std::strtod(argv[5], nullptr);
    o.per_host.burst = argc > 6 ? std::strtod(argv[6], nullptr) : 1;
  }
  Driver driver(scraper, o);
  unsigned long items = 0;
  driver.on_data = [&](const Json&) { ++items; };
  try {
    const RunResult r = driver.run();
    std::printf("status %s items %lu resumed %d failures %zu\n", to_string(r.status), items,
                r.resumed ? 1 : 0, r.failures.size());
    std::fflush(stdout);
    return r.status == RunStatus::completed && r.failures.empty() ? 0 : 1;
  } catch (const StoreError& e) {
    std::printf("items %lu StoreError: %s\n", items, e.what());
    return 3;
  } catch (const std::exception& e) {
    std::printf("error: %s\n", e.what());
    return 1;
  }
}
