// What the dashboard shows of a run in a Redis store (store/redis_store.hpp),
// read straight from Redis with a blocking hiredis connection
// (store/redis_blocking.hpp): the same JSON as read_store_snapshot
// (store_snapshot.hpp) as far as Redis keeps it. Blocks on the network: the
// dashboard calls it on libuv's thread pool, never on the loop thread.
//
// What differs from a SQLite store's snapshot: done and failed are the
// run's counters (Redis keeps a done request only while it has children);
// no throughput and no hosts' "recent" (Redis keeps no settle times); no
// invalid_items (counting them would read every item); failures by kind,
// and hosts by failures, count the latest 20000 failures; hosts by pending
// the best-ranked 1000 pending requests; the slowest hosts come from the
// per-host count, sum and maximum (no p95).
#pragma once

#include <cstdint>

#include "store/redis_url.hpp"
#include "uvscrape/json.hpp"

namespace uvscrape::dashboard {

// Throws StoreError naming the URL (Redis unreachable or failing, or no run
// under the prefix).
Json read_redis_snapshot(const store::RedisAddress& address, std::int64_t now_ms);

}  // namespace uvscrape::dashboard
