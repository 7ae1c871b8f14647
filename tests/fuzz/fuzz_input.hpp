// Helpers shared by the fuzz targets: reading a fuzzer's input as a few
// option bytes plus a payload, cutting the payload into pieces whose sizes the
// input chooses, and failing loudly when a property does not hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace uvscrape::fuzz {

// Consumes an input from the front. Reading past the end yields zeros and
// empty views, so every input is valid.
class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  uint8_t byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  // Up to `n` bytes.
  std::string_view bytes(size_t n) {
    const std::string_view out = rest_.substr(0, n);
    rest_.remove_prefix(out.size());
    return out;
  }
  // The text before the next '\n' (which is dropped), or everything left.
  std::string_view line() {
    const size_t end = rest_.find('\n');
    const std::string_view out = rest_.substr(0, end);
    rest_.remove_prefix(end == std::string_view::npos ? rest_.size() : end + 1);
    return out;
  }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

// Cuts `payload` into consecutive pieces; piece i is 1 + plan[i % plan.size()]
// bytes long (1..256), so an input can split at every byte or not at all.
// An empty plan gives one piece.
inline std::vector<std::string_view> split(std::string_view payload, std::string_view plan) {
  std::vector<std::string_view> pieces;
  for (size_t i = 0; !payload.empty(); ++i) {
    const size_t n =
        plan.empty() ? payload.size() : 1 + static_cast<uint8_t>(plan[i % plan.size()]);
    pieces.push_back(payload.substr(0, n));
    payload.remove_prefix(pieces.back().size());
  }
  return pieces;
}

// A broken property is a finding: say which, and abort so libFuzzer keeps the input.
inline void check(bool holds, const char* target, const char* property) {
  if (holds) return;
  std::fprintf(stderr, "fuzz target %s: property broken: %s\n", target, property);
  std::abort();
}

}  // namespace uvscrape::fuzz
