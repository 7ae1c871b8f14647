// Fuzz target: the charset decision (BOM, Content-Type parameter, <meta> in the
// first 1024 bytes) and decoding to UTF-8.
//
// Input: the first line = the Content-Type header value, the rest = the body.
//
// Properties: decoding never fails and its output is always valid UTF-8 (each
// bad sequence replaced); decoding that output again as UTF-8 changes nothing
// (a leading BOM aside, which decoding drops).
#include <cstdint>
#include <string>

#include "fuzz_input.hpp"
#include "http/charset.hpp"

namespace {

constexpr const char* kTarget = "charset";

// An independent UTF-8 check (RFC 3629): shortest forms only, no surrogates,
// nothing above U+10FFFF.
bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    uint32_t cp = 0;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      len = 2;
      cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3;
      cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4;
      cp = b & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    const uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uvscrape::fuzz::FuzzInput input(data, size);
  const std::string_view content_type = input.line();
  const std::string_view body = input.rest();

  // The header sniffer returns a view into its argument; ASan checks it stays inside.
  const std::string_view from_header = uvscrape::http::charset_from_content_type(content_type);
  uvscrape::fuzz::check(from_header.size() <= content_type.size(), kTarget,
                        "a sniffed label lies inside what was sniffed");
  const auto decision = uvscrape::http::decide_charset(body, content_type);
  uvscrape::fuzz::check(decision.encoding != nullptr && decision.bom_bytes <= 3, kTarget,
                        "every body gets an encoding");

  const std::string text = uvscrape::http::decode_text(body, content_type);
  uvscrape::fuzz::check(valid_utf8(text), kTarget, "decoded text is valid UTF-8");
  // Valid UTF-8 without a BOM, read as UTF-8, is the text itself.
  const uvscrape::http::CharsetDecision as_utf8{&uvscrape::http::utf8_encoding(),
                                                uvscrape::http::CharsetSource::default_utf8, 0};
  if (std::string_view(text).substr(0, 3) != "\xEF\xBB\xBF") {
    uvscrape::fuzz::check(!uvscrape::http::decode_if_needed(text, as_utf8).has_value(), kTarget,
                          "valid UTF-8 decodes to itself");
  }
  return 0;
}
