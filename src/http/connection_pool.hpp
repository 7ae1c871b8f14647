// Keep-alive bookkeeping per origin: idle connections, open-connection counts
// against the per-origin and total caps, and the FIFO of transfers waiting for a
// slot. Pure bookkeeping: opening and closing sockets is the client's job.
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
  struct Origin {
    std::vector<Connection*> idle;  // most recently used last
    std::deque<Transfer*> waiting;  // FIFO
    size_t open = 0;                // connecting + busy + idle
  };

  ConnectionPool(size_t max_per_origin, size_t max_total)
      : max_per_origin_(max_per_origin == 0 ? 1 : max_per_origin),
        max_total_(max_total == 0 ? 1 : max_total) {}

  Origin& origin(const std::string& key) { return origins_[key]; }

  // A slot for a new connection to `o` is free under both caps.
  bool may_open(const Origin& o) const {
    return o.open < max_per_origin_ && total_open_ < max_total_;
  }
  // Only the total cap is in the way (an idle connection elsewhere may be evicted).
  bool blocked_by_total_only(const Origin& o) const {
    return o.open < max_per_origin_ && total_open_ >= max_total_;
  }
  void count_open(Origin& o) {
    ++o.open;
    ++total_open_;
  }
  void count_closed(Origin& o) {
    --o.open;
    --total_open_;
  }

  // The most recently used idle connection (least likely to have been closed by
  // the server), or null.
  Connection* take_idle(Origin& o);
  void put_idle(Origin& o, Connection* c) { o.idle.push_back(c); }
  // Removes `c` from the idle list of `o`; false if it was not there.
  bool remove_idle(Origin& o, Connection* c);

  void enqueue(Origin& o, Transfer* t) { o.waiting.push_back(t); }
  bool remove_waiter(Origin& o, Transfer* t);
  // Some origin with a waiting transfer that could open a connection if one
  // slot of the total cap were free; null if none.
  Origin* origin_waiting_for_total_slot();

  // Drops the bookkeeping of origins with nothing open or waiting, so a crawl
  // over many hosts does not grow the map forever. Invalidates Origin references.
  void prune();

  std::unordered_map<std::string, Origin>& origins() { return origins_; }
  size_t total_open() const { return total_open_; }
  size_t max_per_origin() const { return max_per_origin_; }
  size_t max_total() const { return max_total_; }

 private:
  size_t max_per_origin_;
  size_t max_total_;
  size_t total_open_ = 0;
  std::unordered_map<std::string, Origin> origins_;
};

}  // namespace uvscrape::http
