// Fuzz target: URL parsing, normalisation and reference resolution.
//
// Input: the first line = a URL (also used as the base), the rest = a
// reference to resolve against it.
//
// Properties: every call returns or throws UrlError; a parsed URL's text
// parses again to the same URL (parse, serialise, parse = same result), and so
// does a resolved one; normalisation is idempotent.
#include <cstdint>
#include <optional>
#include <string>

#include "fuzz_input.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/url.hpp"

namespace {

constexpr const char* kTarget = "url";

// A URL's text parses back to a URL with the same parts.
void check_fixed_point(const uvscrape::Url& url) {
  std::optional<uvscrape::Url> parsed;
  try {
    parsed = uvscrape::Url::parse(url.str());
  } catch (const uvscrape::UrlError&) {
    uvscrape::fuzz::check(false, kTarget, "a URL's text parses");
  }
  const uvscrape::Url& again = *parsed;
  uvscrape::fuzz::check(again == url, kTarget, "parse(str()) == the URL");
  uvscrape::fuzz::check(
      again.scheme() == url.scheme() && again.userinfo() == url.userinfo() &&
          again.host() == url.host() && again.port() == url.port() && again.path() == url.path() &&
          again.query() == url.query() && again.fragment() == url.fragment() &&
          again.has_query() == url.has_query() && again.has_fragment() == url.has_fragment(),
      kTarget, "parse(str()) has the same components");
  // The derived forms must not fail on a valid URL.
  (void)url.request_target();
  (void)url.host_header();
  (void)url.origin();
  (void)url.str_without_fragment();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uvscrape::fuzz::FuzzInput input(data, size);
  const std::string_view text = input.line();
  const std::string_view reference = input.rest();

  std::optional<std::string> once;
  try {
    once = uvscrape::normalise_url(text);
  } catch (const uvscrape::UrlError&) {
  }
  if (once) {
    try {
      uvscrape::fuzz::check(uvscrape::normalise_url(*once) == *once, kTarget,
                            "normalisation is idempotent");
    } catch (const uvscrape::UrlError&) {
      uvscrape::fuzz::check(false, kTarget, "normalised text normalises again");
    }
  }
  try {
    (void)uvscrape::resolve_url(text, reference);
  } catch (const uvscrape::UrlError&) {
  }

  std::optional<uvscrape::Url> base;
  try {
    base = uvscrape::Url::parse(text);
  } catch (const uvscrape::UrlError&) {
    return 0;
  }
  check_fixed_point(*base);
  std::optional<uvscrape::Url> resolved;
  try {
    resolved = base->resolve(reference);
  } catch (const uvscrape::UrlError&) {
    return 0;
  }
  check_fixed_point(*resolved);
  return 0;
}
