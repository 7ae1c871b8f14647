// Where a Redis run store lives, from its URL (DriverOptions::store_path):
//
//   redis://[:PASSWORD@]HOST[:PORT][/DB][?prefix=NAME&password=P&lease_ms=N&window=N]
//
// HOST must be an IP address (or "localhost"): hiredis would resolve a name
// with a blocking getaddrinfo on the loop thread. PORT defaults to 6379, DB
// to 0, prefix to "uvscrape" (every key of the run starts with "PREFIX:").
// TLS (rediss://) is not supported: Debian 12's hiredis 0.14 has no TLS.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace uvscrape::store {

struct RedisAddress {
  std::string url;  // as given, with the password masked: for error messages
  std::string host;
  int port = 6379;
  int db = 0;
  std::string prefix = "uvscrape";
  std::string password;  // empty: no AUTH
  // How long a process's claim on a request lasts without renewal.
  std::chrono::milliseconds lease{30000};
  std::size_t window = 0;  // 0: the store's default
};

// True if `path` names a Redis store (starts with "redis://" or "rediss://").
bool is_redis_url(const std::string& path);

// Throws StoreError naming the URL (password masked) for a malformed one.
RedisAddress parse_redis_url(const std::string& url);

}  // namespace uvscrape::store
