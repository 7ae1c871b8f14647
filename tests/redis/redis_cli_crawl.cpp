// The store site's scraper behind the uvscrape command, so that the Redis
// CLI tests can `run` and `resume` a Redis run (uvscrape::cli::main):
//
//   redis_cli_crawl BASE_URL SUBCOMMAND ARGS...
#include <cstdio>
#include <uvscrape/cli.hpp>
#include <vector>

#include "store_site.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s BASE_URL SUBCOMMAND ARGS...\n", argv[0]);
    return 2;
  }
  uvscrape::store_test::StoreSiteScraper scraper(argv[1]);
  std::vector<char*> args = {argv[0]};
  args.insert(args.end(), argv + 2, argv + argc);
  args.push_back(nullptr);
  return uvscrape::cli::main(argc - 1, args.data(), {&scraper});
}
