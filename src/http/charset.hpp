// Text decoding of response bodies: the charset comes from Content-Type, then a
// <meta charset> / http-equiv in the first 1024 bytes, else UTF-8. Output is
// always UTF-8; invalid bytes become U+FFFD.
#pragma once

#include <string>
#include <string_view>

namespace uvscrape::http {

enum class Charset { utf8, windows1252 };

// "text/html; charset=ISO-8859-1" -> "ISO-8859-1"; empty if none.
std::string_view charset_from_content_type(std::string_view content_type);
// The charset named by a <meta> tag in the first 1024 bytes of `html`; empty if none.
std::string_view charset_from_meta(std::string_view html);
// Maps a label to a decoder. Like browsers, iso-8859-1, latin1 and us-ascii
// decode as windows-1252. Unknown labels decode as UTF-8.
Charset charset_from_label(std::string_view label);

// UTF-8 with each invalid sequence replaced by U+FFFD; a leading BOM is dropped.
std::string decode_utf8(std::string_view bytes);
std::string decode_windows1252(std::string_view bytes);

// The whole rule: Content-Type, then <meta>, then UTF-8. A UTF-8 BOM wins.
std::string decode_text(std::string_view body, std::string_view content_type);

}  // namespace uvscrape::http
