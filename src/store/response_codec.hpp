// The codec of stored response bodies (DriverOptions::store_responses): zstd
// at level 3, optionally with a dictionary trained on earlier bodies of the
// same step. Pure functions of their input, usable from any thread; the run
// store calls them on its writer thread only, never on the loop.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace uvscrape::store::codec {

constexpr int kLevel = 3;
// The largest dictionary train() makes: big enough to hold the boilerplate of
// a site's pages (head, navigation, footer), small enough to load at once.
constexpr std::size_t kMaxDictionarySize = 100 * 1024;

// A compression dictionary as zstd trains it; empty: none.
struct Dictionary {
  std::uint32_t id = 0;  // zstd's dictionary id (what a compressed frame names)
  std::string bytes;
  bool empty() const noexcept { return bytes.empty(); }
};

// Compresses `body` (with `dictionary` when it is not empty). Throws
// std::runtime_error when zstd fails.
std::string compress(std::string_view body, const Dictionary& dictionary = {});

// The inverse of compress() with the same dictionary. Throws
// std::runtime_error when `frame` is not a zstd frame of that dictionary or
// is damaged.
std::string decompress(std::string_view frame, const Dictionary& dictionary = {});

// Trains a dictionary of at most kMaxDictionarySize bytes on `samples`. An
// empty Dictionary when zstd cannot train on them (too few or too small
// samples): the caller goes on without one.
Dictionary train(const std::vector<std::string>& samples);

// The dictionary id of a dictionary's bytes (0 when it is not a zstd dictionary).
std::uint32_t dictionary_id(std::string_view bytes);

}  // namespace uvscrape::store::codec
