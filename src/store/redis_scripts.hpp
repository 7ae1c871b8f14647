// The Lua scripts of the Redis run store (store/redis_store.hpp). Each runs
// atomically in Redis: a request's completion with its children, items and
// failures is one script call, so it is stored whole or not at all.
//
// Every script takes the run's key prefix as ARGV[1]; the keys under it are
// described in docs/crawling-with-many-processes.md. Each starts with "#!lua"
// and no flags, so Redis refuses to start it (an OOM error reply) when it is
// over maxmemory, instead of failing half-way through its writes.
//
// The scripts are called by EVALSHA with the SHA-1 Redis knows them by
// (sha1_of), not sent whole with every call: each connection loads all() first
// (store/redis_connection.hpp), so a restarted Redis has them again.
#pragma once

#include <string>
#include <vector>

namespace uvscrape::store::redis_scripts {

// ARGV: prefix, scraper, seed_params, owner, lease_ms, force, adding_seeds.
// Returns {"seed"} | {"join", previous_status, items, failures, speculation,
// cookies, file_path, file_json, ...} | {"finished", status, items, failures}
// | {"mismatch", reason}.
const std::string& open();

// ARGV: prefix, id, token, settle, attempts, not_before_ms, n_children,
// (key, record_only, priority, body) * n, n_items, item * n, n_failures,
// failure * n, file_path, file_json, speculation, cookies, fetch_host,
// fetch_ms (""s: none).
// Returns {1, "id,id,..."} (an id "0": a duplicate dropped) or {0, ""}: the
// lease was not this process's any more, nothing was stored.
const std::string& commit();

// ARGV: prefix, max, lease_ms. Returns {more, n, (id, token, body, attempts,
// not_before_ms or "", parent id or "") * n, (id, parent id or "", body) * m}:
// the best-ranked pending requests, leased, then each of their ancestors
// once (so that previous_request() is rebuilt).
const std::string& refill();

// ARGV: prefix, lease_ms, (id, token) * n. Renews the leases still held;
// returns the ids whose lease was lost. Sweeps expired leases back to pending.
const std::string& renew();

// ARGV: prefix, host, rate (per second), burst. One token of the host's
// rate limit, shared by every process (GCRA on Redis's clock, one key
// "PREFIX:rate:HOST"). Returns 0: granted, or the milliseconds to wait
// before asking again (nothing taken).
const std::string& rate_token();

// ARGV: prefix, status, (id, token) * n. The leases go back to pending; the
// run's status is recorded.
const std::string& release();

// Every script above, in that order.
const std::vector<std::string>& all();
// The hex SHA-1 of one of the scripts above (as SCRIPT LOAD answers it).
const std::string& sha1_of(const std::string& script);

}  // namespace uvscrape::store::redis_scripts
