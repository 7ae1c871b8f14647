// Scale figure: the driver's built-in deduplication set (docs/design.md §3)
// holding 10,000,000 keys -- bytes per key and lookups per second.
//
//   dedup_scale [KEYS]        (default 10,000,000; target <= 32 bytes per key)
//
// Keys look like the driver's automatic dedup keys: 64 hex digits (a SHA-256).
// Memory is measured twice: what the set says it holds, and the growth of the
// allocator's in-use bytes (mallinfo2) across the inserts.
#include <malloc.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "store/seen_set.hpp"

namespace {

using Clock = std::chrono::steady_clock;

size_t allocated_bytes() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;  // small chunks in use + mmapped chunks
}

uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// The i-th distinct key: 64 lower-case hex digits derived from i.
struct KeyMaker {
  std::array<char, 64> text{};
  std::string_view operator()(uint64_t i) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int word = 0; word < 4; ++word) {
      uint64_t v = mix(i * 4 + static_cast<uint64_t>(word));
      for (int d = 0; d < 16; ++d, v >>= 4) text[static_cast<size_t>(word * 16 + d)] = kHex[v & 15];
    }
    return {text.data(), text.size()};
  }
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t keys = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10'000'000;
  const uint64_t probes = keys < 1'000'000 ? keys : 1'000'000;
  KeyMaker make_key;

  uvscrape::store::SeenSet seen;
  const size_t before = allocated_bytes();
  auto start = Clock::now();
  for (uint64_t i = 0; i < keys; ++i) {
    if (!seen.insert(make_key(i))) {
      std::fprintf(stderr, "dedup_scale: FAIL: key %llu reported as seen\n",
                   static_cast<unsigned long long>(i));
      return 1;
    }
  }
  const double insert_s = seconds_since(start);
  const size_t grown = allocated_bytes() - before;

  // Lookups over pre-made keys, so the figure is the set's (hash + probe), not key formatting.
  std::vector<std::string> present, absent;
  present.reserve(probes);
  absent.reserve(probes);
  for (uint64_t i = 0; i < probes; ++i) {
    present.emplace_back(make_key(mix(i) % keys));
    absent.emplace_back(make_key(keys + i));
  }
  size_t hits = 0;
  start = Clock::now();
  for (uint64_t i = 0; i < probes; ++i) {
    hits += seen.contains(present[i]);
    hits += seen.contains(absent[i]);
  }
  const double lookup_s = seconds_since(start);
  if (hits != probes) {
    std::fprintf(stderr, "dedup_scale: FAIL: %zu hits, expected %llu\n", hits,
                 static_cast<unsigned long long>(probes));
    return 1;
  }

  const double per_key_table = static_cast<double>(seen.memory_bytes()) / static_cast<double>(keys);
  const double per_key_malloc = static_cast<double>(grown) / static_cast<double>(keys);
  std::printf(
      "dedup: %llu keys, table %.1f MiB = %.1f bytes/key (allocator: %.1f bytes/key), "
      "load %.2f, target <= 32 bytes/key %s\n",
      static_cast<unsigned long long>(keys), static_cast<double>(seen.memory_bytes()) / (1 << 20),
      per_key_table, per_key_malloc,
      static_cast<double>(seen.size()) / static_cast<double>(seen.capacity()),
      per_key_malloc <= 32.0 ? "PASS" : "FAIL");
  std::printf(
      "dedup: inserts %.2f M/s (key formatting included), lookups %.2f M/s "
      "(%llu present + %llu absent 64-char keys)\n",
      static_cast<double>(keys) / insert_s / 1e6, static_cast<double>(2 * probes) / lookup_s / 1e6,
      static_cast<unsigned long long>(probes), static_cast<unsigned long long>(probes));
  return 0;
}
