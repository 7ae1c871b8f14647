// A Redis run (store/redis_store.hpp) copied into a new SQLite store file of
// the current schema (store/schema.hpp), so that the `uvscrape` command's
// store-only subcommands read it as they read any run store.
//
// What the copy holds: the run's metadata (every field of PREFIX:meta), its
// pending requests (state 0) and leased ones (state 1, in flight), with
// priority, attempts, a retry's not-before time and the parent link; the
// done requests whose JSON Redis keeps because they yielded children (state
// 2; a done request without children is only counted, in meta's `done` and
// `failed`); the seen fingerprints, items, failures and archived files.
//
// Blocking: one synchronous hiredis connection and the file's writes. For a
// process that runs no loop (the CLI), never for the loop thread.
#pragma once

#include <string>

#include "store/redis_url.hpp"

namespace uvscrape::store {

// Writes the run at `address` into `path` (which must not exist). Throws
// StoreError naming the URL (Redis unreachable or failing) or the file.
void snapshot_redis_run(const RedisAddress& address, const std::string& path);

}  // namespace uvscrape::store
