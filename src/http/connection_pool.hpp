// The keep-alive pool's policy, per pool key (origin, plus TLS settings for
// https): which idle connection a transfer reuses, when a new one may open
// under the per-origin and total caps, which idle connection is evicted to make
// room under the total cap, which idle ones the sweep closes, and who gets a
// connection or a slot when one frees up (the per-origin FIFO of waiting
// transfers). The pool never touches a socket: the client opens and closes
// connections as the pool decides.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

namespace uvscrape::http {

struct Connection;
struct Transfer;

class ConnectionPool {
 public:
  class Origin;

  ConnectionPool(size_t max_per_origin, size_t max_total)
      : max_per_origin_(max_per_origin == 0 ? 1 : max_per_origin),
        max_total_(max_total == 0 ? 1 : max_total) {}

  // The bookkeeping of `key`, created on first use. The reference stays valid
  // until prune().
  Origin& origin(const std::string& key) { return origins_[key]; }

  // ---- capacity
  // Whether a transfer to `key` fetched now would get a connection at once: an
  // idle one, or a new one within both caps (an idle connection of another
  // origin counts, as it would be evicted), after the transfers already
  // reserved or waiting for `key` are served. No allocation.
  bool has_capacity(const std::string& key) const;
  // A fetched transfer that has not asked for a connection yet holds a
  // reservation, so has_capacity() counts it.
  void reserve(const std::string& key);
  void unreserve(const std::string& key);

  // A new connection to `o` may open under both caps.
  bool may_open(const Origin& o) const;
  void count_open(Origin& o);
  void count_closed(Origin& o);
  size_t total_open() const { return total_open_; }

  // ---- idle connections
  // The most recently used idle connection of `o` (least likely to have been
  // closed by the server), or null.
  Connection* take_idle(Origin& o);
  void put_idle(Origin& o, Connection* c, uint64_t now_ms);
  // Removes `c` from the idle list of `o`; false if it was not there.
  bool remove_idle(Origin& o, Connection* c);
  // The idle connection to close so that `o` can open one: only when the total
  // cap alone is in the way; the longest-idle one of any origin. Null if none.
  Connection* eviction_for(const Origin& o) const;
  // The idle connections idle for `limit_ms` or longer; `next_due_ms` gets the
  // delay until the next one expires (UINT64_MAX: none left).
  std::vector<Connection*> expired(uint64_t now_ms, uint64_t limit_ms, uint64_t& next_due_ms) const;

  // ---- transfers waiting for a connection (FIFO per origin)
  void enqueue(Origin& o, Transfer* t);
  bool remove_waiter(Origin& o, Transfer* t);
  // A kept-alive connection of `o` is free again: the waiter it goes to, or null.
  Transfer* next_for_connection(Origin& o);
  // A slot under the caps freed up (a connection of `freed` closed): the waiter
  // that may open a connection now, from `freed` first, then from any origin
  // (the total cap); null if none. `*opens_for` gets the waiter's origin.
  Transfer* next_for_slot(Origin& freed, Origin** opens_for);

  // Drops the bookkeeping of origins with nothing open, idle, waiting or
  // reserved, so a crawl over many hosts does not grow the map forever.
  // Invalidates Origin references.
  void prune();

  struct Idle {
    Connection* connection;
    uint64_t since_ms;
  };
  // Opaque to the client: the pool alone reads and changes it.
  class Origin {
    friend class ConnectionPool;
    std::vector<Idle> idle;         // most recently used last
    std::deque<Transfer*> waiting;  // FIFO
    size_t open = 0;                // connecting + busy + idle
    size_t reserved = 0;            // fetched, not yet asking for a connection
  };

 private:
  size_t max_per_origin_;
  size_t max_total_;
  size_t total_open_ = 0;
  size_t total_idle_ = 0;
  size_t total_reserved_ = 0;
  std::unordered_map<std::string, Origin> origins_;
};

}  // namespace uvscrape::http
