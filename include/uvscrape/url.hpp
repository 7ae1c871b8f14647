// URLs as a browser reads them: the WHATWG URL Standard's parser and
// serialiser for http and https (docs/design.md §23).
//
// What is fetched for an href is what a browser fetches for it on the same page:
//   * leading and trailing spaces and control characters are dropped, tabs and
//     line breaks anywhere are removed;
//   * '\' counts as '/'; "http:next.html" is relative to an http page; extra
//     slashes after "https:" are ignored ("https:///h/x" is "https://h/x");
//   * "." and ".." segments go, "%2e" counting as '.';
//   * the host is percent-decoded, mapped through IDNA (UTS #46, libidn2:
//     "www.münchen.de" -> "www.xn--mnchen-3ya.de"), lower-cased, checked for
//     forbidden characters, and read as an IPv4 address when its last label is
//     a number ("0x7f.1" -> "127.0.0.1"); "[...]" is an IPv6 address, written
//     compressed;
//   * a default port (80 for http, 443 for https) is dropped;
//   * bytes are percent-encoded only where the standard says: path, query,
//     fragment and userinfo each have their set, so "50%" and "[status]" in a
//     query stay as they are, and existing escapes are never changed.
// Every failure throws UrlError naming the input (and the base it was resolved
// against); nothing returns an empty URL silently.
//
// Deduplication keys canonicalise further (escapes of unreserved characters
// decoded, hex upper-cased) without changing what is sent: see
// Request::dedup_key().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace uvscrape {

namespace url_detail {
class UrlParser;
}

// An absolute http or https URL, as the WHATWG URL Standard serialises it.
class Url {
 public:
  // Parses an absolute URL. Throws UrlError for a missing or unsupported
  // scheme (only http and https), a missing or invalid host, an invalid port.
  static Url parse(std::string_view text);
  // Parses `reference` (an href, possibly relative) against `base`, as a
  // browser on the page `base` does. Throws UrlError naming both.
  static Url parse(std::string_view reference, const Url& base);

  const std::string& scheme() const noexcept { return scheme_; }  // "http" / "https"
  // "user:password" as serialised (percent-encoded); usually empty.
  const std::string& userinfo() const noexcept { return userinfo_; }
  std::string_view username() const noexcept;
  std::string_view password() const noexcept;
  // ASCII: lower-case, IDNA-mapped, IPv4 dotted, IPv6 compressed without [].
  const std::string& host() const noexcept { return host_; }
  uint16_t port() const noexcept { return port_; }                    // effective port
  const std::string& path() const noexcept { return path_; }          // starts with '/'
  const std::string& query() const noexcept { return query_; }        // without '?'
  const std::string& fragment() const noexcept { return fragment_; }  // without '#'
  bool has_query() const noexcept { return has_query_; }
  bool has_fragment() const noexcept { return has_fragment_; }
  bool is_https() const noexcept { return scheme_ == "https"; }
  bool is_ipv6() const noexcept { return ipv6_; }
  uint16_t default_port() const noexcept { return is_https() ? 443 : 80; }

  // The serialised URL (the "href"), fragment included.
  const std::string& str() const noexcept { return text_; }
  // The URL without the fragment (what is fetched).
  std::string str_without_fragment() const;
  // "/path?query" for the request line; never empty.
  std::string request_target() const;
  // "host" or "host:port" when the port is not the default; IPv6 in brackets.
  std::string host_header() const;
  // "scheme://host:port" (port always present): the connection-pool key.
  std::string origin() const;

  // The same as Url::parse(reference, *this).
  Url resolve(std::string_view reference) const { return parse(reference, *this); }

  friend bool operator==(const Url& a, const Url& b) noexcept { return a.text_ == b.text_; }

 private:
  friend class url_detail::UrlParser;
  Url() = default;
  void serialise();  // fills text_ from the components

  std::string text_;
  std::string scheme_, userinfo_, host_, path_, query_, fragment_;
  uint16_t port_ = 0;
  bool has_query_ = false, has_fragment_ = false, ipv6_ = false;
};

// The serialised form of an absolute http(s) URL: Url::parse(url).str().
// Throws UrlError.
std::string normalise_url(std::string_view url);

// Resolves an href against the page it is on (Url::parse(reference, base)) and
// returns the serialised result. An empty base means "no page": the reference
// must then be an absolute http(s) URL. Throws UrlError naming the reference
// and the base when the result is not an http(s) URL a browser would fetch.
std::string resolve_url(std::string_view base, std::string_view reference);

// application/x-www-form-urlencoded: "a=1&b=x+y". Keeps A-Z a-z 0-9 - . _ ~,
// turns space into '+', percent-encodes every other byte (upper-case hex).
std::string encode_form(const std::vector<std::pair<std::string, std::string>>& pairs);

// Appends form-encoded `params` to the query of `url` (with '?' or '&'),
// keeping any fragment at the end. No params: `url` unchanged.
std::string with_query(std::string_view url,
                       const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace uvscrape
