#include "http/connection_pool.hpp"

#include <algorithm>

namespace uvscrape::http {

Connection* ConnectionPool::take_idle(Origin& o) {
  if (o.idle.empty()) return nullptr;
  Connection* c = o.idle.back();
  o.idle.pop_back();
  return c;
}

bool ConnectionPool::remove_idle(Origin& o, Connection* c) {
  auto it = std::find(o.idle.begin(), o.idle.end(), c);
  if (it == o.idle.end()) return false;
  o.idle.erase(it);
  return true;
}

bool ConnectionPool::remove_waiter(Origin& o, Transfer* t) {
  auto it = std::find(o.waiting.begin(), o.waiting.end(), t);
  if (it == o.waiting.end()) return false;
  o.waiting.erase(it);
  return true;
}

ConnectionPool::Origin* ConnectionPool::origin_waiting_for_total_slot() {
  for (auto& [key, o] : origins_) {
    if (!o.waiting.empty() && o.open < max_per_origin_) return &o;
  }
  return nullptr;
}

void ConnectionPool::prune() {
  for (auto it = origins_.begin(); it != origins_.end();) {
    const Origin& o = it->second;
    if (o.open == 0 && o.waiting.empty() && o.idle.empty()) {
      it = origins_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace uvscrape::http
