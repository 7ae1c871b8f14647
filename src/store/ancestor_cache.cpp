// See ancestor_cache.hpp.
#include "store/ancestor_cache.hpp"

#include <algorithm>

namespace uvscrape::store {

std::shared_ptr<const Request> AncestorCache::find(const std::string& id) const {
  const auto it = chains_.find(id);
  return it == chains_.end() ? nullptr : it->second;
}

void AncestorCache::add(const std::string& id, std::shared_ptr<const Request> request) {
  if (chains_.emplace(id, std::move(request)).second) added_.push_back(id);
}

void AncestorCache::note_parent(const std::string& id) {
  if (id.empty() || !chains_.count(id)) return;
  if (!recent_.empty() && recent_.front() == id) return;  // siblings come together
  if (const auto it = std::find(recent_.begin(), recent_.end(), id); it != recent_.end())
    recent_.erase(it);
  recent_.push_front(id);
  if (recent_.size() > kRecentParents) recent_.pop_back();
}

void AncestorCache::trim() {
  // Each id is looked at once per trim: a recent parent goes to the back.
  for (std::size_t n = added_.size(); chains_.size() > capacity_ && n > 0; --n) {
    std::string id = std::move(added_.front());
    added_.pop_front();
    if (std::find(recent_.begin(), recent_.end(), id) != recent_.end())
      added_.push_back(std::move(id));
    else
      chains_.erase(id);
  }
}

}  // namespace uvscrape::store
