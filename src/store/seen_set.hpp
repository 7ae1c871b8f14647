// The built-in deduplication set (docs/design.md §3): which dedup keys this run
// has already enqueued.
//
// Keys are not stored, only a 128-bit hash of each, in an open-addressing table
// with linear probing: 16 bytes a slot, at most 3/4 full, so 10 million keys take
// about 27 bytes each. Two different keys share a hash with probability ~n^2/2^129,
// far below any other failure rate of a crawl.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>

namespace uvscrape::store {

struct KeyHash {
  uint64_t high = 0;
  uint64_t low = 0;
  bool operator==(const KeyHash&) const = default;
};

// A 128-bit hash of `key` (two independently seeded 64-bit lanes). Never {0, 0}.
KeyHash hash_key(std::string_view key) noexcept;

class SeenSet {
 public:
  SeenSet() = default;
  SeenSet(const SeenSet&) = delete;
  SeenSet& operator=(const SeenSet&) = delete;
  SeenSet(SeenSet&& other) noexcept { *this = std::move(other); }
  // The moved-from set is empty.
  SeenSet& operator=(SeenSet&& other) noexcept {
    slots_ = std::move(other.slots_);
    capacity_ = std::exchange(other.capacity_, 0);
    size_ = std::exchange(other.size_, 0);
    return *this;
  }

  // Records `key`; true if it was not seen before.
  bool insert(std::string_view key) { return insert_hash(hash_key(key)); }
  bool contains(std::string_view key) const { return contains_hash(hash_key(key)); }
  bool insert_hash(KeyHash hash);
  bool contains_hash(KeyHash hash) const;

  size_t size() const noexcept { return size_; }
  size_t capacity() const noexcept { return capacity_; }
  // Heap bytes held by the table.
  size_t memory_bytes() const noexcept { return capacity_ * sizeof(KeyHash); }
  void clear() noexcept;

 private:
  void grow();
  size_t find_slot(KeyHash hash) const noexcept;  // the slot holding `hash` or the empty one

  std::unique_ptr<KeyHash[]> slots_;
  size_t capacity_ = 0;  // a power of two, or 0
  size_t size_ = 0;
};

}  // namespace uvscrape::store
