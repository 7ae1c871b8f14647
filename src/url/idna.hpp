// Domain to ASCII for URL hosts: UTS #46 non-transitional processing through
// libidn2, as browsers map host names ("www.münchen.de" ->
// "www.xn--mnchen-3ya.de", "EXAMPLE.com" -> "example.com").
#pragma once

#include <string>
#include <string_view>

namespace uvscrape::url_detail {

// `domain` is UTF-8 (already percent-decoded). On success writes the ASCII
// form to `out` and returns an empty string; otherwise returns the reason.
// ASCII names without an "xn--" label take a fast path: they are only
// lower-cased, exactly what the full mapping would do to them.
std::string domain_to_ascii(std::string_view domain, std::string& out);

}  // namespace uvscrape::url_detail
