// The previous_request() chains a process has rebuilt from the Redis store's
// refills (store/redis_store.hpp), kept so that the next refill need not
// send them again.
//
// A refill lists the ancestors of the requests it hands out; on a site whose
// list pages follow each other ("next" links) that is the whole list chain,
// hundreds deep, with every refill. The store names to the refill script the
// parents it has seen last (recent_parents()); the script stops walking up at
// any of them, and the chains come from here instead.
//
// Bounded: beyond `capacity` entries the oldest go, except the recent parents
// (a chain handed out stays alive in its requests either way). Loop thread only.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "uvscrape/request.hpp"

namespace uvscrape::store {

class AncestorCache {
 public:
  static constexpr std::size_t kCapacity = 4096;
  static constexpr std::size_t kRecentParents = 64;

  explicit AncestorCache(std::size_t capacity = kCapacity) : capacity_(capacity) {}

  // The chain of the stored request `id`, or null if not kept.
  std::shared_ptr<const Request> find(const std::string& id) const;
  void add(const std::string& id, std::shared_ptr<const Request> request);
  // `id` was the parent of a request handed out: named to the next refills.
  void note_parent(const std::string& id);
  // At most kRecentParents ids, each kept here.
  const std::deque<std::string>& recent_parents() const noexcept { return recent_; }
  // Drops the oldest entries beyond the capacity (after a refill's reply is
  // read, so that nothing it names goes while it is read).
  void trim();
  std::size_t size() const noexcept { return chains_.size(); }

 private:
  std::size_t capacity_;
  std::unordered_map<std::string, std::shared_ptr<const Request>> chains_;
  std::deque<std::string> added_;   // ids in the order they were added
  std::deque<std::string> recent_;  // the recent parents, newest first
};

}  // namespace uvscrape::store
