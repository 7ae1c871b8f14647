// See memory_store.hpp.
#include "store/memory_store.hpp"

namespace uvscrape::store {

void admit_children(std::vector<Child>& children, SeenSet& seen, RequestId& next_id) {
  for (Child& child : children) {
    const bool fresh = !child.key || seen.insert_hash(*child.key);
    child.id = fresh || child.record_only ? next_id++ : 0;
  }
}

void MemoryStore::open(const RunIdentity&, Listener& listener) {
  listener_ = &listener;
  listener_->store_opened(Opened{});
}

void MemoryStore::commit(Completion completion) {
  admit_children(completion.children, seen_, next_id_);
  listener_->store_committed(std::move(completion));
}

void MemoryStore::close(const std::string&) {
  seen_.clear();
  listener_->store_closed();
}

}  // namespace uvscrape::store
