// URLs: parsing, normalisation and RFC 3986 reference resolution (on uriparser).
//
// Normalisation (DESIGN decision 5) is the same everywhere:
//   * leading/trailing spaces and control characters are dropped, and tabs and
//     line breaks inside are removed (as browsers do with href attributes);
//   * scheme and host are lower-cased; a default port (80/443) is removed;
//   * percent-escapes of unreserved characters (A-Z a-z 0-9 - . _ ~) are
//     decoded, other escapes get upper-case hex, a stray '%' becomes %25;
//   * bytes that may not appear raw (space, quotes, <>, \, ^, `, {|}, controls,
//     non-ASCII as UTF-8 bytes) are percent-encoded;
//   * reserved characters and their escapes are never touched: %26 stays %26,
//     '+' in a query stays '+';
//   * an absolute http(s) URL gets '/' for an empty path and loses "." and ".."
//     segments.
// Every failure throws UrlError naming the offending URL; nothing returns an
// empty URL silently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace uvscrape {

// An absolute, normalised http or https URL.
class Url {
 public:
  // Throws UrlError for a missing scheme, a scheme other than http/https, an
  // empty host, a host with invalid characters, an invalid or out-of-range port,
  // or text that is not a URL at all.
  static Url parse(std::string_view text);

  const std::string& scheme() const noexcept { return scheme_; }      // "http" / "https"
  const std::string& userinfo() const noexcept { return userinfo_; }  // usually empty
  const std::string& host() const noexcept { return host_; }          // lower-case; IPv6 without []
  uint16_t port() const noexcept { return port_; }                    // effective port
  const std::string& path() const noexcept { return path_; }          // never empty for http(s)
  const std::string& query() const noexcept { return query_; }        // without '?'
  const std::string& fragment() const noexcept { return fragment_; }  // without '#'
  bool has_query() const noexcept { return has_query_; }
  bool has_fragment() const noexcept { return has_fragment_; }
  bool is_https() const noexcept { return scheme_ == "https"; }
  bool is_ipv6() const noexcept { return ipv6_; }

  // The normalised text, fragment included.
  const std::string& str() const noexcept { return text_; }
  // The normalised text without the fragment (what is fetched).
  std::string str_without_fragment() const;
  // "/path?query" for the request line; never empty.
  std::string request_target() const;
  // "host" or "host:port" when the port is not the default; IPv6 in brackets.
  std::string host_header() const;
  // "scheme://host:port" (port always present): the connection-pool key.
  std::string origin() const;

  // RFC 3986 §5.2 resolution of `reference` (normalised first) against this
  // URL. Throws UrlError if the result is not a valid http(s) URL.
  Url resolve(std::string_view reference) const;

  friend bool operator==(const Url& a, const Url& b) noexcept { return a.text_ == b.text_; }

 private:
  Url() = default;
  // `normalised` is the output of normalise_url for an absolute URL.
  static Url from_normalised(std::string normalised, std::string_view original);

  std::string text_;
  std::string scheme_, userinfo_, host_, path_, query_, fragment_;
  uint16_t port_ = 0;
  bool has_query_ = false, has_fragment_ = false, ipv6_ = false;
};

// Normalises an absolute URL or a relative reference (see the top of this file).
// Throws UrlError if the text cannot be read as a URI reference.
std::string normalise_url(std::string_view url);

// Contract §1.5: normalise `reference`, then resolve it against `base`.
// An empty base returns the normalised reference as is (it may stay relative).
// Any scheme is accepted here; Url::parse decides what can be fetched.
// Throws UrlError for an unreadable reference or a base that is not absolute.
std::string resolve_url(std::string_view base, std::string_view reference);

// application/x-www-form-urlencoded: "a=1&b=x+y". Keeps A-Z a-z 0-9 - . _ ~,
// turns space into '+', percent-encodes every other byte (upper-case hex).
std::string encode_form(const std::vector<std::pair<std::string, std::string>>& pairs);

// Appends form-encoded `params` to the query of `url` (with '?' or '&'),
// keeping any fragment at the end. No params: `url` unchanged.
std::string with_query(std::string_view url,
                       const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace uvscrape
