// Host name resolution with c-ares, driven by the libuv loop.
//
// c-ares sockets are watched with uv_poll_t and its timeouts run on one
// uv_timer_t, so resolving never blocks the loop. Both IPv4 and IPv6 are asked
// for (AF_UNSPEC); /etc/hosts is honoured; numeric hosts never reach DNS.
// Answers are cached for their TTL (bounded by ResolverOptions), failures that
// say "no such name" for a short negative TTL. Concurrent lookups of the same
// name share one query.
//
// One Resolver per loop, used from the loop thread only. close() must run (and
// the loop spin) before uv_loop_close can succeed.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "net/address.hpp"

namespace uvscrape::net {

struct ResolverOptions {
  std::chrono::milliseconds query_timeout{3000};  // per try, per server (c-ares `timeout`)
  int tries = 2;                                  // c-ares `tries`
  std::chrono::seconds max_ttl{300};              // answers are never cached longer
  std::chrono::seconds min_ttl{0};                // nor shorter (hosts-file answers carry TTL 0)
  std::chrono::seconds negative_ttl{5};           // "no such name" is remembered this long
};

class Resolver {
 public:
  // `addresses` is non-null and non-empty on success; ports are 0.
  using ResolveCallback =
      std::function<void(std::shared_ptr<const AddressList> addresses, std::exception_ptr error)>;

  explicit Resolver(uv_loop_t* loop, ResolverOptions options = {});
  ~Resolver();  // close()s if still open
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // Resolves `host` (a DNS name, or a numeric IPv4/IPv6 address without
  // brackets). `done` gets the addresses or DnsError(url, "<host>: <reason>"),
  // always from the loop, never inside resolve(): numeric hosts and cache hits
  // on the next loop turn, DNS answers when they come. The returned function
  // cancels: `done` then never runs. Safe to call after `done` ran.
  std::function<void()> resolve(const std::string& host, const std::string& url,
                                ResolveCallback done);

  // Answers `host` with `addresses` from now on, without DNS and without
  // expiry (like curl's --resolve). Ports in `addresses` are ignored.
  void pin(const std::string& host, AddressList addresses);

  // Cancels every pending lookup (their callbacks get CancelledError), releases
  // c-ares and closes all libuv handles; `on_closed` runs once they are closed.
  // Later resolve() calls fail with CancelledError. Idempotent.
  void close(std::function<void()> on_closed = {});

  // Statistics, for tests and diagnostics.
  uint64_t cache_hits() const;
  uint64_t queries_started() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace uvscrape::net
