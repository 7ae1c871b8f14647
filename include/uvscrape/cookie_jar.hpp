// The cookie jar: what a browser keeps between requests, by RFC 6265 §5
// (docs/design.md §21).
//
// Every response's Set-Cookie headers go in (redirect hops included); every
// request takes the Cookie header the jar has for its URL. The storage model is
// the RFC's: host-only cookies (no Domain attribute) go back only to the host
// that set them, domain cookies to that domain and its subdomains; a Domain
// that is a public suffix ("co.uk", "github.io", by the Public Suffix List
// through libpsl) is refused, as is one the host is not inside; an IP-address
// host only ever gets host-only cookies. Path defaults to the directory of the
// request path; Max-Age wins over Expires; a date in the past or Max-Age <= 0
// deletes; Secure cookies go only over https; HttpOnly and SameSite are kept
// (and exported) but change nothing, since no script runs and every request is
// the scraper's own.
//
// Limits: a cookie whose name and value together exceed 4096 bytes is ignored;
// each cookie domain keeps at most `max_per_domain` cookies and the jar at most
// `max_total`, the least recently used going first (expired ones before that).
//
// The jar is not thread-safe: it lives on the loop thread of the run that uses
// it. Between runs (or from a callback, which runs on the loop thread) a user
// may read it, export it as JSON and import it again.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uvscrape/headers.hpp"
#include "uvscrape/json_fwd.hpp"

namespace uvscrape {

class Url;

enum class SameSite { unset, strict, lax, none };
// "", "Strict", "Lax", "None".
const char* to_string(SameSite value) noexcept;

struct Cookie {
  using Clock = std::chrono::system_clock;

  std::string name;
  std::string value;      // as sent, quotes included
  std::string domain;     // lower-case, no leading dot
  std::string path;       // starts with '/'
  bool host_only = true;  // no Domain attribute: only `domain` itself gets it
  bool secure = false;    // only over https
  bool http_only = false;
  SameSite same_site = SameSite::unset;
  // nullopt: a session cookie (kept for the jar's life, and exported too).
  std::optional<Clock::time_point> expires;
  Clock::time_point created;
  Clock::time_point last_access;

  bool expired(Clock::time_point now) const { return expires && *expires <= now; }
};

class CookieJar {
 public:
  using Clock = Cookie::Clock;

  static constexpr std::size_t default_max_per_domain = 50;
  static constexpr std::size_t default_max_total = 3000;
  static constexpr std::size_t max_cookie_bytes = 4096;  // name + value

  CookieJar() = default;
  CookieJar(std::size_t max_per_domain, std::size_t max_total)
      : max_per_domain_(max_per_domain), max_total_(max_total) {}

  // What "now" is for expiry (tests move time on with it). Default: the system clock.
  void set_clock(std::function<Clock::time_point()> clock) { clock_ = std::move(clock); }

  // Stores every Set-Cookie header of a response to `url`. Returns how many
  // cookies were stored or deleted (ignored ones do not count).
  std::size_t store(const Url& url, const Headers& response_headers);
  // One Set-Cookie header value received from `url`. Returns false when it
  // was ignored (malformed, too big, a refused domain).
  bool store(const Url& url, std::string_view set_cookie);

  // The cookies that go with a request to `url`, in Cookie-header order
  // (longer paths first, then the earlier created), expired ones left out.
  // Marks them used (their last access is what eviction goes by).
  std::vector<Cookie> cookies_for(const Url& url);
  // The same without marking them used: what a step may look at.
  std::vector<Cookie> peek(const Url& url) const;
  // "a=1; b=2", or "" when nothing applies.
  std::string cookie_header(const Url& url);

  // Every stored cookie that has not expired, in creation order.
  std::vector<Cookie> all() const;
  std::size_t size() const noexcept { return cookies_.size(); }
  bool empty() const noexcept { return cookies_.empty(); }
  void clear() noexcept {
    cookies_.clear();
    ++changes_;
  }
  // Counts the changes to what to_json() writes (a cookie stored, replaced by
  // a different one or deleted, an import, a clear); the same cookie stored
  // again counts nothing. A durable run exports the jar only when it moved.
  std::uint64_t changes() const noexcept { return changes_; }

  // The JSON form (docs/sessions-cookies-proxies.md, "Cookies"):
  //   {"format": "uvscrape-cookies", "version": 1, "cookies": [
  //     {"name": "sid", "value": "abc", "domain": "example.org", "path": "/",
  //      "host_only": true, "secure": false, "http_only": true, "same_site": "Lax",
  //      "expires": 1767225600, "created": 1764612000123456}]}
  // `expires` is Unix seconds, or null for a session cookie; `created` is Unix
  // microseconds. Expired cookies are not written.
  Json to_json() const;
  // Adds the cookies of a to_json() document (a cookie with the same name,
  // domain and path is replaced; expired ones are skipped). Throws
  // ScraperConfigError naming what is wrong when the document is not one.
  void from_json(const Json& document);

 private:
  void insert(Cookie cookie);
  void evict();
  Clock::time_point now() const { return clock_ ? clock_() : Clock::now(); }
  template <typename Visit>
  void matching(const Url& url, Clock::time_point now, Visit&& visit) const;

  std::size_t max_per_domain_ = default_max_per_domain;
  std::size_t max_total_ = default_max_total;
  std::function<Clock::time_point()> clock_;
  // In creation order (insertion keeps it so); a few thousand at most, so a
  // scan per request is cheap next to the request itself.
  std::vector<Cookie> cookies_;
  std::uint64_t changes_ = 0;
};

}  // namespace uvscrape
