// A small, fixed-size cache of dedup keys the run store has recorded: a
// direct-mapped table (one key a slot, a newer key evicts the older one), so
// the links a site repeats on every page are dropped as duplicates without a
// lookup in the store's seen table. Exact in one direction only: a hit is a
// key that was recorded; a miss says nothing, and the seen table decides.
#pragma once

#include <cstddef>
#include <memory>

#include "store/seen_set.hpp"

namespace uvscrape::store {

class RecentKeys {
 public:
  // 65,536 slots of 16 bytes: 1 MiB whatever the size of the run.
  static constexpr std::size_t kSlots = std::size_t{1} << 16;

  RecentKeys() : slots_(std::make_unique<KeyHash[]>(kSlots)) {}

  bool contains(KeyHash key) const noexcept { return slots_[slot(key)] == key; }
  void insert(KeyHash key) noexcept { slots_[slot(key)] = key; }

 private:
  // hash_key() never yields {0, 0}, the empty slot.
  static std::size_t slot(KeyHash key) noexcept {
    return static_cast<std::size_t>(key.high) & (kSlots - 1);
  }
  std::unique_ptr<KeyHash[]> slots_;
};

}  // namespace uvscrape::store
