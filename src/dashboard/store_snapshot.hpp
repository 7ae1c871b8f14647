// What the dashboard shows of a run store, read with a read-only SQLite
// connection (WAL lets it read while a crawl writes). Blocks on the disk:
// the dashboard calls it on libuv's thread pool, never on the loop thread.
#pragma once

#include <cstdint>
#include <string>

#include "uvscrape/json.hpp"

namespace uvscrape::dashboard {

// The snapshot of the store at `path`, at wall-clock time `now_ms` (ms since
// the epoch):
//   {"store", "scraper", "status", "started", "ended",
//    "requests": {pending, in_flight, done, failed}, "items", "invalid_items",
//    "failures": [{kind, count, examples: [{url, message}]}],
//    "throughput": {last_minute, last_hour, left, eta_seconds?,
//                   series: {from, bucket_ms, counts: [...]}},
//    "hosts": [{host, failures, pending, recent}],
//    "slowest_hosts": [{host, timed, mean_ms, p95_ms, max_ms}] (dashboard/slowest_hosts.hpp;
//                     of the latest settled requests, at most 20000),
//    "recent_items": [{model, body}]}
// A file that does not exist yet (a run about to create it) gives
// {"store": path, "missing": true}. Throws StoreError naming the file when it
// cannot be read.
Json read_store_snapshot(const std::string& path, std::int64_t now_ms);

}  // namespace uvscrape::dashboard
