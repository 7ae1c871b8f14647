#include "url/escape.hpp"

#include <array>

#include "common/hex.hpp"

namespace uvscrape::url_detail {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

// Characters that may appear raw in a path, query or fragment besides
// unreserved ones and '%': sub-delims plus ":@/?" (RFC 3986 §3.3, §3.4).
// A table, because every byte of every discovered link goes through here.
constexpr auto kAllowedRaw = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) table[c] = is_unreserved(static_cast<unsigned char>(c));
  for (const char c : std::string_view("!$&'()*+,;=:@/?"))
    table[static_cast<unsigned char>(c)] = true;
  return table;
}();

bool is_allowed_raw(unsigned char c) noexcept {
  return kAllowedRaw[c];
}

bool is_scheme_char(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '-' || c == '.';
}

void append_escaped(std::string& out, unsigned char c) {
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

// Browsers drop these anywhere in an href; keeping them only breaks parsing.
bool is_dropped(unsigned char c) noexcept {
  return c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim_blanks(std::string_view text) noexcept {
  while (!text.empty() && static_cast<unsigned char>(text.front()) <= 0x20) text.remove_prefix(1);
  while (!text.empty() && static_cast<unsigned char>(text.back()) <= 0x20) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string escape_reference(std::string_view raw) {
  std::string_view text = trim_blanks(raw);
  std::string out;
  out.reserve(text.size() + 8);
  size_t pos = 0;
  const size_t n = text.size();

  // Scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
  bool has_scheme = false;
  if (n > 0 && ((text[0] | 0x20) >= 'a' && (text[0] | 0x20) <= 'z')) {
    size_t i = 1;
    while (i < n && is_scheme_char(static_cast<unsigned char>(text[i]))) ++i;
    if (i < n && text[i] == ':') {
      out.append(text.substr(0, i + 1));
      pos = i + 1;
      has_scheme = true;
    }
  }

  // Authority: copied verbatim (minus dropped characters) up to the path.
  bool has_authority = false;
  if (text.substr(pos, 2) == "//") {
    has_authority = true;
    out += "//";
    pos += 2;
    while (pos < n) {
      const unsigned char c = static_cast<unsigned char>(text[pos]);
      if (c == '/' || c == '?' || c == '#') break;
      if (!is_dropped(c)) out += static_cast<char>(c);
      ++pos;
    }
  }

  // A scheme-less relative path may not have ':' in its first segment
  // (RFC 3986 §4.2); escaping it keeps "12:30" a path instead of an error.
  bool in_first_segment = !has_scheme && !has_authority;
  bool in_fragment = false;
  for (; pos < n; ++pos) {
    const unsigned char c = static_cast<unsigned char>(text[pos]);
    if (is_dropped(c)) continue;
    if (c == '/' || c == '?' || c == '#') in_first_segment = false;
    if (c == '%') {
      const int hi = pos + 2 < n ? hex_digit_value(text[pos + 1]) : -1;
      const int lo = hi >= 0 ? hex_digit_value(text[pos + 2]) : -1;
      if (lo < 0) {
        out += "%25";  // a stray '%' is data
        continue;
      }
      const auto decoded = static_cast<unsigned char>(hi * 16 + lo);
      if (is_unreserved(decoded)) {
        out += static_cast<char>(decoded);
      } else {
        append_escaped(out, decoded);
      }
      pos += 2;
    } else if (c == '#') {
      if (in_fragment) {
        append_escaped(out, c);
      } else {
        out += '#';
        in_fragment = true;
      }
    } else if (c == ':' && in_first_segment) {
      append_escaped(out, c);
    } else if (is_allowed_raw(c)) {
      out += static_cast<char>(c);
    } else {
      append_escaped(out, c);
    }
  }
  return out;
}

void append_form_encoded(std::string& out, std::string_view value) {
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out += ch;
    } else if (c == ' ') {
      out += '+';
    } else {
      append_escaped(out, c);
    }
  }
}

}  // namespace uvscrape::url_detail
