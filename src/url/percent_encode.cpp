#include "url/percent_encode.hpp"

namespace uvscrape::url_detail {

void append_percent_encoded(std::string& out, std::string_view text, EncodeSet set) {
  // Copy runs of bytes that need no encoding in one append.
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!kEncodeSets.contains(set, c)) continue;
    out.append(text.substr(run, i - run));
    append_percent_byte(out, c);
    run = i + 1;
  }
  out.append(text.substr(run));
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hex_digit_value(static_cast<unsigned char>(text[i + 1]));
      const int lo = hex_digit_value(static_cast<unsigned char>(text[i + 2]));
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += text[i];
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
      append_percent_byte(out, c);
    }
  }
}

}  // namespace uvscrape::url_detail
