#include "http/connection_pool.hpp"

#include <algorithm>

namespace uvscrape::http {

bool ConnectionPool::has_capacity(const std::string& key) const {
  size_t idle = 0;
  size_t open = 0;
  size_t reserved = 0;
  size_t demand = 0;  // transfers of this origin that come first
  if (auto it = origins_.find(key); it != origins_.end()) {
    const Origin& o = it->second;
    idle = o.idle.size();
    open = o.open;
    reserved = o.reserved;
    demand = o.reserved + o.waiting.size();
  }
  if (idle > demand) return true;
  demand -= idle;
  const size_t origin_room = max_per_origin_ > open ? max_per_origin_ - open : 0;
  // Free total slots, plus idle connections elsewhere (evictable), minus what the
  // reserved transfers of other origins will take.
  size_t total_room =
      (max_total_ > total_open_ ? max_total_ - total_open_ : 0) + (total_idle_ - idle);
  const size_t others_reserved = total_reserved_ - reserved;
  total_room = total_room > others_reserved ? total_room - others_reserved : 0;
  return std::min(origin_room, total_room) > demand;
}

void ConnectionPool::reserve(const std::string& key) {
  ++origins_[key].reserved;
  ++total_reserved_;
}

void ConnectionPool::unreserve(const std::string& key) {
  auto it = origins_.find(key);
  if (it == origins_.end() || it->second.reserved == 0) return;
  --it->second.reserved;
  --total_reserved_;
}

bool ConnectionPool::may_open(const Origin& o) const {
  return o.open < max_per_origin_ && total_open_ < max_total_;
}

void ConnectionPool::count_open(Origin& o) {
  ++o.open;
  ++total_open_;
}

void ConnectionPool::count_closed(Origin& o) {
  --o.open;
  --total_open_;
}

Connection* ConnectionPool::take_idle(Origin& o) {
  if (o.idle.empty()) return nullptr;
  Connection* c = o.idle.back().connection;
  o.idle.pop_back();
  --total_idle_;
  return c;
}

void ConnectionPool::put_idle(Origin& o, Connection* c, uint64_t now_ms) {
  o.idle.push_back(Idle{c, now_ms});
  ++total_idle_;
}

bool ConnectionPool::remove_idle(Origin& o, Connection* c) {
  auto it = std::find_if(o.idle.begin(), o.idle.end(),
                         [c](const Idle& idle) { return idle.connection == c; });
  if (it == o.idle.end()) return false;
  o.idle.erase(it);
  --total_idle_;
  return true;
}

Connection* ConnectionPool::eviction_for(const Origin& o) const {
  if (o.open >= max_per_origin_ || total_open_ < max_total_ || total_idle_ == 0) return nullptr;
  const Idle* oldest = nullptr;
  for (const auto& [key, other] : origins_) {
    if (!other.idle.empty() &&
        (oldest == nullptr || other.idle.front().since_ms < oldest->since_ms))
      oldest = &other.idle.front();
  }
  return oldest != nullptr ? oldest->connection : nullptr;
}

std::vector<Connection*> ConnectionPool::expired(uint64_t now_ms, uint64_t limit_ms,
                                                 uint64_t& next_due_ms) const {
  std::vector<Connection*> out;
  next_due_ms = UINT64_MAX;
  if (total_idle_ == 0) return out;
  for (const auto& [key, o] : origins_) {
    for (const Idle& idle : o.idle) {
      const uint64_t due = idle.since_ms + limit_ms;
      if (due <= now_ms) {
        out.push_back(idle.connection);
      } else {
        next_due_ms = std::min(next_due_ms, due - now_ms);
      }
    }
  }
  return out;
}

void ConnectionPool::enqueue(Origin& o, Transfer* t) {
  o.waiting.push_back(t);
}

bool ConnectionPool::remove_waiter(Origin& o, Transfer* t) {
  auto it = std::find(o.waiting.begin(), o.waiting.end(), t);
  if (it == o.waiting.end()) return false;
  o.waiting.erase(it);
  return true;
}

Transfer* ConnectionPool::next_for_connection(Origin& o) {
  if (o.waiting.empty()) return nullptr;
  Transfer* t = o.waiting.front();
  o.waiting.pop_front();
  return t;
}

Transfer* ConnectionPool::next_for_slot(Origin& freed, Origin** opens_for) {
  Origin* chosen = nullptr;
  if (!freed.waiting.empty() && may_open(freed)) {
    chosen = &freed;
  } else if (total_open_ < max_total_) {
    for (auto& [key, o] : origins_) {
      if (!o.waiting.empty() && o.open < max_per_origin_) {
        chosen = &o;
        break;
      }
    }
  }
  if (chosen == nullptr) return nullptr;
  *opens_for = chosen;
  return next_for_connection(*chosen);
}

void ConnectionPool::prune() {
  std::erase_if(origins_, [](const auto& entry) {
    const Origin& o = entry.second;
    return o.open == 0 && o.waiting.empty() && o.idle.empty() && o.reserved == 0;
  });
}

}  // namespace uvscrape::http
