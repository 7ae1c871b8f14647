// Open-addressing set of 128-bit key hashes; see seen_set.hpp.
#include "store/seen_set.hpp"

#include <cstring>

namespace uvscrape::store {
namespace {

constexpr uint64_t kPrime1 = 0x9E3779B185EBCA87ull;
constexpr uint64_t kPrime2 = 0xC2B2AE3D27D4EB4Full;
constexpr uint64_t kPrime3 = 0x165667B19E3779F9ull;
constexpr uint64_t kPrime4 = 0xD6E8FEB86659FD93ull;

constexpr uint64_t rotl(uint64_t x, int r) noexcept {
  return (x << r) | (x >> (64 - r));
}

// The 64-bit finaliser of MurmurHash3: every input bit affects every output bit.
constexpr uint64_t avalanche(uint64_t h) noexcept {
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

uint64_t load_word(const char* p, size_t n) noexcept {
  uint64_t w = 0;
  std::memcpy(&w, p, n);
  return w;
}

}  // namespace

KeyHash hash_key(std::string_view key) noexcept {
  uint64_t a = kPrime3 ^ (key.size() * kPrime1);
  uint64_t b = kPrime4 + key.size();
  const char* p = key.data();
  size_t left = key.size();
  while (left > 0) {
    const size_t n = left < 8 ? left : 8;
    const uint64_t w = load_word(p, n) + n;  // + n: a short tail differs from zero padding
    a = rotl(a ^ (w * kPrime1), 31) * kPrime2;
    b = rotl(b ^ (w * kPrime3), 27) * kPrime4 + a;
    p += n;
    left -= n;
  }
  KeyHash h{avalanche(a ^ rotl(b, 17)), avalanche(b ^ kPrime2 ^ rotl(a, 41))};
  if (h.high == 0 && h.low == 0) h.low = 1;  // {0, 0} marks an empty slot
  return h;
}

size_t SeenSet::find_slot(KeyHash hash) const noexcept {
  size_t i = static_cast<size_t>(hash.low) & (capacity_ - 1);
  for (;;) {
    const KeyHash& slot = slots_[i];
    if (slot == hash || (slot.high == 0 && slot.low == 0)) return i;
    i = (i + 1) & (capacity_ - 1);
  }
}

bool SeenSet::contains_hash(KeyHash hash) const {
  if (capacity_ == 0) return false;
  return slots_[find_slot(hash)] == hash;
}

bool SeenSet::insert_hash(KeyHash hash) {
  if ((size_ + 1) * 4 > capacity_ * 3) grow();
  const size_t i = find_slot(hash);
  if (slots_[i] == hash) return false;
  slots_[i] = hash;
  ++size_;
  return true;
}

void SeenSet::grow() {
  const size_t old_capacity = capacity_;
  std::unique_ptr<KeyHash[]> old = std::move(slots_);
  capacity_ = old_capacity ? old_capacity * 2 : 1024;
  slots_ = std::make_unique<KeyHash[]>(capacity_);  // value-initialised: all empty
  for (size_t i = 0; i < old_capacity; ++i) {
    if (old[i].high != 0 || old[i].low != 0) slots_[find_slot(old[i])] = old[i];
  }
}

void SeenSet::clear() noexcept {
  slots_.reset();
  capacity_ = 0;
  size_ = 0;
}

}  // namespace uvscrape::store
