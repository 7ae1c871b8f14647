// Byte-level rewriting of URL text: the percent-escape half of normalisation
// (DESIGN decision 5) and form encoding. Parsing and joining stay in uriparser.
#pragma once

#include <string>
#include <string_view>

namespace uvscrape::url_detail {

// A-Z a-z 0-9 - . _ ~ (RFC 3986 §2.3).
constexpr bool is_unreserved(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Rewrites a URI reference so uriparser can read it: trims surrounding blanks,
// drops tabs and line breaks, decodes escapes of unreserved characters,
// upper-cases the hex of the others, and escapes bytes that may not appear raw
// in the path, query or fragment. The authority is copied as is, so a bad host
// is still reported as bad.
std::string escape_reference(std::string_view text);

// Appends `value` form-encoded (space as '+', unreserved kept, rest %XX).
void append_form_encoded(std::string& out, std::string_view value);

}  // namespace uvscrape::url_detail
