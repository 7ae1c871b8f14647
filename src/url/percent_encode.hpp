// The WHATWG URL Standard's percent-encode sets, percent-decoding, and
// application/x-www-form-urlencoded encoding.
//
// Bytes are encoded one by one: a non-ASCII code point, given as UTF-8, comes
// out as the %XX of each of its bytes, which is what "UTF-8 percent-encode"
// produces for valid UTF-8.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/hex.hpp"

namespace uvscrape::url_detail {

// The sets, each including the ones above it except where noted:
//   c0_control:    C0 controls (0x00-0x1F) and every byte above 0x7E
//   fragment:      c0_control + space " < > `
//   query:         c0_control + space " # < >            (not `)
//   special_query: query + '                             (http and https)
//   path:          query + ? ^ ` { }
//   userinfo:      path + / : ; = @ [ \ ] |
enum class EncodeSet : uint8_t { c0_control, fragment, query, special_query, path, userinfo };

// A bit per set for every byte: one table lookup per byte of every link.
class EncodeSetTable {
 public:
  constexpr EncodeSetTable() {
    for (int c = 0; c < 256; ++c) {
      if (c < 0x20 || c > 0x7E) bits_[c] = 0xFF;  // in every set
    }
    add(EncodeSet::fragment, " \"<>`");
    add(EncodeSet::query, " \"#<>");
    add(EncodeSet::special_query, " \"#<>'");
    add(EncodeSet::path, " \"#<>?^`{}");
    add(EncodeSet::userinfo, " \"#<>?^`{}/:;=@[\\]|");
  }
  constexpr bool contains(EncodeSet set, unsigned char c) const noexcept {
    return (bits_[c] >> static_cast<int>(set)) & 1;
  }

 private:
  constexpr void add(EncodeSet set, std::string_view chars) {
    for (const char c : chars) bits_[static_cast<unsigned char>(c)] |= 1 << static_cast<int>(set);
  }
  std::array<uint8_t, 256> bits_{};
};

inline constexpr EncodeSetTable kEncodeSets{};

inline constexpr char kUpperHex[] = "0123456789ABCDEF";

inline void append_percent_byte(std::string& out, unsigned char c) {
  out += '%';
  out += kUpperHex[c >> 4];
  out += kUpperHex[c & 0xF];
}

// Appends `text`, encoding the bytes that are in `set`.
void append_percent_encoded(std::string& out, std::string_view text, EncodeSet set);

// Decodes every %XX; a '%' not followed by two hex digits stays as it is.
std::string percent_decode(std::string_view text);

// A-Z a-z 0-9 - . _ ~ (RFC 3986 unreserved).
constexpr bool is_unreserved(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Appends `value` form-encoded (space as '+', unreserved kept, rest %XX).
void append_form_encoded(std::string& out, std::string_view value);

}  // namespace uvscrape::url_detail
