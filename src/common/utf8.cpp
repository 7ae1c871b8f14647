#include "common/utf8.hpp"

#include <cstring>

namespace uvscrape {
namespace {

// The length of the well-formed sequence at `in[i]`, or 0 and `bad_length` =
// the maximal subpart to replace by one U+FFFD (Unicode 3.9, table 3-7).
size_t sequence_length(std::string_view in, size_t i, size_t& bad_length) noexcept {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(in[k]); };
  const unsigned char b = byte(i);
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b >= 0xC2 && b <= 0xDF) {
    len = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    len = 3;
    if (b == 0xE0) lo = 0xA0;  // no overlongs
    if (b == 0xED) hi = 0x9F;  // no surrogates
  } else if (b >= 0xF0 && b <= 0xF4) {
    len = 4;
    if (b == 0xF0) lo = 0x90;  // no overlongs
    if (b == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  }
  if (len == 0) {
    bad_length = 1;
    return 0;
  }
  size_t k = 1;
  while (k < len && i + k < in.size()) {
    const unsigned char c = byte(i + k);
    if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) break;
    ++k;
  }
  if (k == len) return len;
  bad_length = k;
  return 0;
}

// Length of the ASCII prefix of `in` from `i`, eight bytes at a time: the common case.
size_t ascii_run(std::string_view in, size_t i) noexcept {
  const size_t start = i;
  while (i + 8 <= in.size()) {
    uint64_t word;
    std::memcpy(&word, in.data() + i, 8);
    if ((word & 0x8080808080808080ULL) != 0) break;
    i += 8;
  }
  while (i < in.size() && static_cast<unsigned char>(in[i]) < 0x80) ++i;
  return i - start;
}

}  // namespace

bool is_ascii(std::string_view in) noexcept {
  return ascii_run(in, 0) == in.size();
}

bool is_valid_utf8(std::string_view in) noexcept {
  size_t i = 0;
  while (i < in.size()) {
    i += ascii_run(in, i);
    if (i >= in.size()) break;
    size_t bad = 0;
    const size_t len = sequence_length(in, i, bad);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

void append_repaired_utf8(std::string& out, std::string_view in) {
  size_t i = 0;
  while (i < in.size()) {
    const size_t run = ascii_run(in, i);
    out.append(in.substr(i, run));
    i += run;
    if (i >= in.size()) break;
    size_t bad = 0;
    const size_t len = sequence_length(in, i, bad);
    if (len != 0) {
      out.append(in.substr(i, len));
      i += len;
    } else {
      out.append(kUtf8Replacement);
      i += bad;
    }
  }
}

std::string to_valid_utf8(std::string bytes) {
  if (is_valid_utf8(bytes)) return bytes;
  std::string out;
  out.reserve(bytes.size() + 16);
  append_repaired_utf8(out, bytes);
  return out;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace uvscrape
