// Micro-benchmarks: deduplication -- the key of a request (docs/design.md §2,
// include/uvscrape/request.hpp) and the built-in seen-set that stores its
// 128-bit digest (src/store/seen_set.hpp). Every yielded request pays both.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "store/seen_set.hpp"
#include "uvscrape/request.hpp"

namespace {

// A case page request as the driver holds it after resolution.
void BM_DedupKeyGet(benchmark::State& state) {
  const auto request =
      uvscrape::Request::get("http://127.0.0.1:8080/cases/123.html").to("parse_case");
  for (auto _ : state) benchmark::DoNotOptimize(request.dedup_key());
}
BENCHMARK(BM_DedupKeyGet);

// A POST with a query and a form body: the canonical query and body are sorted.
void BM_DedupKeyPostForm(benchmark::State& state) {
  const auto request = uvscrape::Request::post("http://127.0.0.1:8080/search?page=2&q=beetle")
                           .form({{"court", "civil"}, {"year", "2024"}, {"judge", "Mantis"}})
                           .to("parse_results");
  for (auto _ : state) benchmark::DoNotOptimize(request.dedup_key());
}
BENCHMARK(BM_DedupKeyPostForm);

// What the seen-set stores per request: the 128-bit fingerprint.
void BM_DedupFingerprintGet(benchmark::State& state) {
  const auto request =
      uvscrape::Request::get("http://127.0.0.1:8080/cases/123.html").to("parse_case");
  for (auto _ : state) benchmark::DoNotOptimize(request.dedup_fingerprint());
}
BENCHMARK(BM_DedupFingerprintGet);

// A 64-character key (like a SHA-256 hex digest) unique to `i`.
std::string key_of(uint64_t i) {
  char text[65];
  std::snprintf(text, sizeof text, "%016llx%048llx",
                static_cast<unsigned long long>(i * 0x9E3779B97F4A7C15ull),
                static_cast<unsigned long long>(i));
  return text;
}

// Inserting new keys into a growing table (rehashes included, amortised).
void BM_SeenSetInsertNew(benchmark::State& state) {
  uvscrape::store::SeenSet seen;
  std::vector<std::string> keys;
  for (uint64_t i = 0; i < 4096; ++i) keys.push_back(key_of(i));
  uint64_t i = 0;
  for (auto _ : state) {
    std::string& key = keys[i % keys.size()];
    key[0] = static_cast<char>('a' + (i / keys.size()) % 26);  // new on every pass over the ring
    key[1] = static_cast<char>('a' + (i / keys.size() / 26) % 26);
    benchmark::DoNotOptimize(seen.insert(key));
    ++i;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_SeenSetInsertNew)->Iterations(2'000'000);

// Looking up present keys spread over a table of the given size (cache misses included).
void BM_SeenSetLookupPresent(benchmark::State& state) {
  uvscrape::store::SeenSet seen;
  const auto size = static_cast<uint64_t>(state.range(0));
  for (uint64_t i = 0; i < size; ++i) seen.insert(key_of(i));
  std::vector<std::string> probes;
  for (uint64_t i = 0; i < 4096; ++i) probes.push_back(key_of((i * 7919) % size));
  size_t n = 0;
  for (auto _ : state) benchmark::DoNotOptimize(seen.contains(probes[n++ % probes.size()]));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_SeenSetLookupPresent)->Arg(100'000)->Arg(1'000'000);

}  // namespace
