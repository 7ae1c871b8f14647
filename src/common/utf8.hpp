// UTF-8 validation and repair, shared by the charset decoders (http) and the
// HTML layer's extracted strings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace uvscrape {

// U+FFFD REPLACEMENT CHARACTER in UTF-8.
inline constexpr std::string_view kUtf8Replacement = "\xEF\xBF\xBD";

// Whether every byte of `bytes` is below 0x80.
bool is_ascii(std::string_view bytes) noexcept;

// Whether `bytes` is well-formed UTF-8 (no overlongs, surrogates or values above U+10FFFF).
bool is_valid_utf8(std::string_view bytes) noexcept;

// Appends `bytes` to `out`, each ill-formed sequence replaced by one U+FFFD per
// maximal subpart, as the WHATWG Encoding Standard's UTF-8 decoder (and every
// browser) does.
void append_repaired_utf8(std::string& out, std::string_view bytes);

// `bytes` itself (moved) when it is valid UTF-8, else the repaired copy.
std::string to_valid_utf8(std::string bytes);

// Appends the UTF-8 form of a Unicode scalar value (callers pass < 0x110000, no surrogates).
void append_utf8(std::string& out, uint32_t code_point);

}  // namespace uvscrape
