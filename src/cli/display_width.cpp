// See display_width.hpp.
#include "cli/display_width.hpp"

#include <algorithm>
#include <iterator>

namespace uvscrape::cli {
namespace {

struct Range {
  char32_t first, last;
};

// Combining marks and zero-width characters.
constexpr Range kZeroWidth[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A}, {0x064B, 0x065F},
    {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF},
    {0x200B, 0x200F}, {0x2028, 0x202E}, {0x2060, 0x2064}, {0x20D0, 0x20FF}, {0x302A, 0x302D},
    {0x3099, 0x309A}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF},
};

// East Asian wide (W) and fullwidth (F) blocks, and the main emoji blocks
// (sorted, not overlapping: looked up by binary search).
constexpr Range kWide[] = {
    {0x1100, 0x115F},   {0x2329, 0x232A},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},
    {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xA960, 0xA97F},   {0xAC00, 0xD7A3},
    {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},
    {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD},
    {0x30000, 0x3FFFD},
};

template <std::size_t N>
bool in(const Range (&ranges)[N], char32_t c) {
  const auto it = std::upper_bound(std::begin(ranges), std::end(ranges), c,
                                   [](char32_t v, const Range& r) { return v < r.first; });
  return it != std::begin(ranges) && c <= std::prev(it)->last;
}

// The code point at text[at] and its length in bytes; a malformed sequence
// is one byte of width one.
std::pair<char32_t, std::size_t> decode(std::string_view text, std::size_t at) {
  const auto b = static_cast<unsigned char>(text[at]);
  const std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
  if (n == 0 || at + n > text.size()) return {U'?', 1};
  if (n == 1) return {b, 1};
  char32_t c = b & (0x7F >> n);
  for (std::size_t i = 1; i < n; ++i) {
    const auto cont = static_cast<unsigned char>(text[at + i]);
    if ((cont & 0xC0) != 0x80) return {U'?', 1};
    c = (c << 6) | (cont & 0x3F);
  }
  return {c, n};
}

}  // namespace

int code_point_width(char32_t c) noexcept {
  if (c < 0x300) return 1;
  if (in(kZeroWidth, c)) return 0;
  return in(kWide, c) ? 2 : 1;
}

std::size_t display_width(std::string_view text) noexcept {
  std::size_t width = 0;
  for (std::size_t at = 0; at < text.size();) {
    const auto [c, n] = decode(text, at);
    width += static_cast<std::size_t>(code_point_width(c));
    at += n;
  }
  return width;
}

std::string fit_to_width(std::string_view text, std::size_t width) {
  const std::size_t have = display_width(text);
  if (have <= width) return std::string(text) + std::string(width - have, ' ');
  if (width == 0) return "";
  std::string out;
  std::size_t used = 0;
  for (std::size_t at = 0; at < text.size();) {
    const auto [c, n] = decode(text, at);
    const auto w = static_cast<std::size_t>(code_point_width(c));
    if (used + w > width - 1) break;
    out.append(text.substr(at, n));
    used += w;
    at += n;
  }
  return out + std::string(width - 1 - used, ' ') + "…";
}

}  // namespace uvscrape::cli
