// A crawler process of the store tests: crawls the store site at
// 127.0.0.1:<port> with the run store STORE (a SQLite file or a redis://
// URL), resuming or joining whatever run it holds. Prints one line "status S
// items N resumed R finished F failures K" and exits 0 when the run
// completed without failures, 3 on a StoreError (its message on stdout), 1
// otherwise.
//
//   store_crawl_child PORT STORE STORAGE_DIR [NAME=VALUE...]
//
//   workers=N          workers (default 16)
//   rate=R burst=B     the per-host limit (default 800 a second, burst 16: the
//                      crawl lasts a few seconds however fast the machine, so
//                      a kill -9 test's kills land all over it); rate=0: none
//   fsize_limit=BYTES  files may not grow past it (RLIMIT_FSIZE): the disk is
//                      "full" for the store; SIGXFSZ is ignored so that the
//                      write fails instead
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "store_site.hpp"

int main(int argc, char** argv) {
  using namespace uvscrape;
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s PORT STORE STORAGE_DIR [NAME=VALUE...]\n", argv[0]);
    return 2;
  }
  std::map<std::string, std::string> named = {
      {"workers", "16"}, {"rate", "800"}, {"burst", "16"}, {"fsize_limit", ""}};
  for (int i = 4; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto eq = arg.find('=');
    if (eq == std::string::npos || named.count(arg.substr(0, eq)) == 0) {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
    named[arg.substr(0, eq)] = arg.substr(eq + 1);
  }
  if (!named["fsize_limit"].empty()) {
    std::signal(SIGXFSZ, SIG_IGN);
    const rlim_t limit = std::strtoull(named["fsize_limit"].c_str(), nullptr, 10);
    struct rlimit r = {limit, limit};
    setrlimit(RLIMIT_FSIZE, &r);
  }
  store_test::StoreSiteScraper scraper(std::string("http://127.0.0.1:") + argv[1]);
  DriverOptions o;
  o.num_workers = std::strtoul(named["workers"].c_str(), nullptr, 10);
  o.store_path = argv[2];
  o.storage_dir = argv[3];
  o.max_retries = 200;  // every kill of an in-flight request counts an attempt
  o.retry_backoff_base = std::chrono::milliseconds(2);
  o.retry_backoff_cap = std::chrono::milliseconds(10);
  o.per_host.rate = std::strtod(named["rate"].c_str(), nullptr);
  o.per_host.burst = std::strtod(named["burst"].c_str(), nullptr);
  Driver driver(scraper, o);
  unsigned long items = 0;
  driver.on_data = [&](const Json&) { ++items; };
  try {
    const RunResult r = driver.run();
    std::printf("status %s items %lu resumed %d finished %d failures %zu\n", to_string(r.status),
                items, r.resumed ? 1 : 0, r.already_finished ? 1 : 0, r.failures.size());
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
