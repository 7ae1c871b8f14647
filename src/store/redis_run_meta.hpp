// A Redis run's metadata (every field of PREFIX:meta: scraper, seed_params,
// status, counts) and its number of items, read with one blocking hiredis
// connection: what `uvscrape run` and `resume` check before they crawl,
// without copying the whole run (store/redis_snapshot.hpp). Blocking: for a
// process that runs no loop (the CLI), never for the loop thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "store/redis_url.hpp"

namespace uvscrape::store {

struct RedisRunMeta {
  std::map<std::string, std::string> meta;
  std::int64_t items = 0;
};

// Throws StoreError naming the URL: Redis unreachable or failing, or no run
// under the address's prefix.
RedisRunMeta read_redis_run_meta(const RedisAddress& address);

}  // namespace uvscrape::store
