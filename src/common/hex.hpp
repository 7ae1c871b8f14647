// Hexadecimal: lower-case text of bytes (dedup keys, request JSON, file
// names), and the value of one hex digit (percent-escapes, request JSON).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace uvscrape {

// 0-15 for 0-9, a-f, A-F; -1 for anything else.
constexpr int hex_digit_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline std::string hex_encode(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

// The 16 hex digits of a 64-bit value, most significant first.
inline std::string hex_encode(std::uint64_t value) {
  unsigned char bytes[8];
  for (int i = 7; i >= 0; --i, value >>= 8) bytes[i] = static_cast<unsigned char>(value & 0xff);
  return hex_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

}  // namespace uvscrape
