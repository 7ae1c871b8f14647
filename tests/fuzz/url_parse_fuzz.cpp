// Fuzz target: the WHATWG URL parser (src/url/) as the driver uses it.
//
// Input: the first line is a base, the rest an href found on that page.
//
// Properties, beyond "no crash, no sanitizer report":
//   * every call returns or throws UrlError, nothing else;
//   * parse, serialise, parse again gives the same URL, component by component
//     (for the base, and for the resolved href);
//   * resolve_url(base, href) and Url::parse(href, Url::parse(base)) agree;
//   * a serialised URL has no byte a request line cannot carry (controls,
//     space, non-ASCII) and its host has no forbidden host character.
//
// Build: clang++ -fsanitize=fuzzer (see tests/fuzz/README.md when present).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "uvscrape/errors.hpp"
#include "uvscrape/url.hpp"

namespace {

void require(bool ok, const char* property) {
  if (ok) return;
  std::fprintf(stderr, "url_parse_fuzz: property failed: %s\n", property);
  std::abort();
}

bool same_components(const uvscrape::Url& a, const uvscrape::Url& b) {
  return a.scheme() == b.scheme() && a.userinfo() == b.userinfo() && a.host() == b.host() &&
         a.port() == b.port() && a.path() == b.path() && a.query() == b.query() &&
         a.fragment() == b.fragment() && a.has_query() == b.has_query() &&
         a.has_fragment() == b.has_fragment() && a.is_ipv6() == b.is_ipv6();
}

void check_url(const uvscrape::Url& url) {
  for (const char c : url.str()) {
    const auto byte = static_cast<unsigned char>(c);
    require(byte > 0x20 && byte < 0x7F, "serialised URL is printable ASCII without spaces");
  }
  for (const char c : url.host()) {
    require(std::string_view("#/<>?@[\\]^|%").find(c) == std::string_view::npos,
            "host has no forbidden host character");
  }
  require(!url.host().empty(), "host is not empty");
  require(!url.path().empty() && url.path().front() == '/', "path starts with '/'");
  std::optional<uvscrape::Url> again;
  try {
    again = uvscrape::Url::parse(url.str());
  } catch (const uvscrape::UrlError&) {
    require(false, "a serialised URL parses");
  }
  require(*again == url && same_components(*again, url), "parse(serialise(url)) == url");
  require(again->request_target() == url.request_target(), "same request target");
  (void)url.host_header();
  (void)url.origin();
  (void)url.str_without_fragment();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view base_text = input.substr(0, newline);
  const std::string_view href =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  std::optional<std::string> joined;
  try {
    joined = uvscrape::resolve_url(base_text, href);
  } catch (const uvscrape::UrlError&) {
  }

  std::optional<uvscrape::Url> base;
  try {
    base = uvscrape::Url::parse(base_text);
  } catch (const uvscrape::UrlError&) {
    // An empty base means "no page": resolve_url then parses the href alone.
    if (!base_text.empty()) require(!joined, "resolve_url fails when its base does not parse");
    return 0;
  }
  check_url(*base);

  std::optional<uvscrape::Url> resolved;
  try {
    resolved = uvscrape::Url::parse(href, *base);
  } catch (const uvscrape::UrlError&) {
    require(!joined, "resolve_url and Url::parse(href, base) fail together");
    return 0;
  }
  require(joined && *joined == resolved->str(), "resolve_url == Url::parse(href, base).str()");
  check_url(*resolved);
  return 0;
}
