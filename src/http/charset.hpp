// The one charset decision for response bodies, and the decoders to UTF-8.
//
// The rule (that of the HTML standard's encoding sniffing, with a UTF-8 default):
//   1. a byte order mark (UTF-8, UTF-16LE, UTF-16BE) wins;
//   2. else the Content-Type header's charset, if it is a label of the WHATWG
//      Encoding Standard;
//   3. else a <meta charset> or <meta http-equiv=content-type content=...> in
//      the first 1024 bytes, if it names such a label;
//   4. else UTF-8.
// A name that is not a WHATWG label (UTF-7, "klingon") is ignored, and the next
// step decides. Labels map as the standard maps them: iso-8859-1, latin1 and
// us-ascii are windows-1252. Output is always valid UTF-8; bytes that do not
// decode become U+FFFD, as in a browser.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace uvscrape::http {

// One of the WHATWG Encoding Standard's encodings.
struct Encoding {
  enum class Kind { utf8, utf16le, utf16be, windows1252, x_user_defined, replacement, iconv };
  std::string_view name;  // the standard's name: "UTF-8", "windows-1252", "Shift_JIS"
  Kind kind;
  const char* iconv_name;  // the C library's converter, for Kind::iconv; else nullptr
};

// The standard's "get an encoding": trims ASCII whitespace and ignores case.
// nullptr when `label` is not one of its labels.
const Encoding* encoding_for_label(std::string_view label);
const Encoding& utf8_encoding();

// Where the decision came from (for tests and error context).
enum class CharsetSource { bom, content_type, meta, default_utf8 };

struct CharsetDecision {
  const Encoding* encoding;
  CharsetSource source;
  size_t bom_bytes;  // bytes of the BOM to skip (0 unless source == bom)
};

// "text/html; charset=ISO-8859-1" -> "ISO-8859-1" (quotes removed); empty if none.
std::string_view charset_from_content_type(std::string_view content_type);
// The encoding a <meta> in the first 1024 bytes of `html` declares, as the HTML
// standard's prescan finds it (comments and other tags skipped, UTF-16 read as
// UTF-8, x-user-defined as windows-1252); nullptr if none declares a known label.
const Encoding* encoding_from_meta(std::string_view html);

// The rule above. Reads at most the first 1024 bytes of `body`.
CharsetDecision decide_charset(std::string_view body, std::string_view content_type);

// `body` as UTF-8 under `decision`: always valid UTF-8 (Response::page()
// relies on it). nullopt when `body` already is exactly that text (valid UTF-8
// without a BOM), so the caller can use the bytes it has.
// Legacy CJK and single-byte encodings other than windows-1252 go through the
// C library's iconv; its first use of each converter may load a module from
// disk (once per process).
std::optional<std::string> decode_if_needed(std::string_view body, const CharsetDecision& decision);

// decide_charset + decode, always as a new string.
std::string decode_text(std::string_view body, std::string_view content_type);

}  // namespace uvscrape::http
