// A Request: what to fetch, which step gets the response, and the navigation
// context it carries (docs/design.md §2, §4, §7, §11).
//
// Built with a fluent API that reads like the reference's keyword arguments:
//
//   co_yield Request::get("/cases/2024/1").to("parse_case").accumulated_data(year_data);
//   co_yield Request::post(url).form({{"q", "x"}}).to("parse_results").priority(3);
//   co_yield Request::get(pdf_url).archive("pdf").to("archive_pdf");
//
// Names pair up: a setter and the getter that reads the same thing share a name
// (`to("step")` / `to()`, `accumulated_data(json)` / `accumulated_data()`,
// `body(bytes)` / `body()`, `current_location(url)` / `current_location()`).
// Flags whose setter needs no argument read as `is_<flag>()` (`archive()` /
// `is_archive()`, `nonnavigating()` / `is_nonnavigating()`).
//
// Memory: a queued crawl holds millions of Requests, so the common fields are
// inline and everything rarely used (body, json, headers, cookies, timeout,
// explicit dedup key, expected type, speculation id) lives in one shared,
// copy-on-write extras block; permanent headers/cookies are shared between
// generations; the current location is shared between siblings; continuation
// names are interned.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "uvscrape/errors.hpp"
#include "uvscrape/http_method.hpp"
#include "uvscrape/json.hpp"

namespace uvscrape {

// Ordered name/value pairs (query parameters, form fields, headers, cookies).
using NameValueList = std::vector<std::pair<std::string, std::string>>;

// The body of a request: nothing, form fields (sent urlencoded), or raw bytes.
using RequestBody = std::variant<std::monostate, NameValueList, std::string>;

// Sentinel: `request.dedup_key(skip_deduplication)` bypasses deduplication.
struct SkipDeduplication {};
inline constexpr SkipDeduplication skip_deduplication{};

enum class DedupMode : std::uint8_t {
  automatic,     // key computed from method, absolute URL, query and body
  explicit_key,  // the caller's string, used verbatim
  skip,          // never deduplicated
};

// Which speculative template and which ID produced a probe.
struct SpeculationId {
  std::string state_key;  // "<entry name>:<param index>"
  int param_index = 0;
  long id = 0;
  bool operator==(const SpeculationId&) const = default;
};

// A 128-bit digest of a dedup key: what a compact seen-set stores.
struct DedupFingerprint {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  bool operator==(const DedupFingerprint&) const = default;
};
struct DedupFingerprintHash {
  std::size_t operator()(const DedupFingerprint& f) const noexcept {
    return static_cast<std::size_t>(f.low ^ (f.high * 0x9E3779B97F4A7C15ull));
  }
};

namespace detail {
struct RequestAccess;
}

#define UVSCRAPE_REQUEST_SETTER(Name, Params, Args) \
  Request& Name Params& {                           \
    set_##Name Args;                                \
    return *this;                                   \
  }                                                 \
  Request&& Name Params&& {                         \
    set_##Name Args;                                \
    return std::move(*this);                        \
  }

class Request {
 public:
  static constexpr int default_priority = 9;
  static constexpr int default_archive_priority = 1;

  Request(HttpMethod method, std::string url);

  static Request get(std::string url) { return {HttpMethod::GET, std::move(url)}; }
  static Request post(std::string url) { return {HttpMethod::POST, std::move(url)}; }
  static Request put(std::string url) { return {HttpMethod::PUT, std::move(url)}; }
  static Request patch(std::string url) { return {HttpMethod::PATCH, std::move(url)}; }
  static Request del(std::string url) { return {HttpMethod::DELETE, std::move(url)}; }
  static Request head(std::string url) { return {HttpMethod::HEAD, std::move(url)}; }
  static Request options(std::string url) { return {HttpMethod::OPTIONS, std::move(url)}; }

  // --- builder: every setter returns the request (lvalue or rvalue alike) ------------
  // The step that receives the response.
  UVSCRAPE_REQUEST_SETTER(to, (std::string step), (std::move(step)))
  // Scraper-owned data for the receiving step (deep copy; never inherited implicitly).
  UVSCRAPE_REQUEST_SETTER(accumulated_data, (Json data), (std::move(data)))
  // Lower is served first. Unset: 9, or 1 for archive requests.
  UVSCRAPE_REQUEST_SETTER(priority, (int value), (value))
  // Query parameters, appended to the URL's own query when sent (docs/design.md §4).
  UVSCRAPE_REQUEST_SETTER(params, (NameValueList pairs), (std::move(pairs)))
  UVSCRAPE_REQUEST_SETTER(param, (std::string name, std::string value),
                          (std::move(name), std::move(value)))
  // Form fields, sent as application/x-www-form-urlencoded (replaces any body).
  UVSCRAPE_REQUEST_SETTER(form, (NameValueList pairs), (std::move(pairs)))
  // Raw body bytes, sent as they are (replaces any form).
  UVSCRAPE_REQUEST_SETTER(body, (std::string bytes), (std::move(bytes)))
  // A JSON body, sent as application/json (docs/design.md §4).
  UVSCRAPE_REQUEST_SETTER(json, (Json value), (std::move(value)))
  // Per-request headers and cookies; they win over permanent ones of the same name.
  UVSCRAPE_REQUEST_SETTER(header, (std::string name, std::string value),
                          (std::move(name), std::move(value)))
  UVSCRAPE_REQUEST_SETTER(headers, (NameValueList pairs), (std::move(pairs)))
  UVSCRAPE_REQUEST_SETTER(cookie, (std::string name, std::string value),
                          (std::move(name), std::move(value)))
  UVSCRAPE_REQUEST_SETTER(cookies, (NameValueList pairs), (std::move(pairs)))
  // Total timeout in seconds for this request (unset: the driver's timeouts).
  UVSCRAPE_REQUEST_SETTER(timeout, (double seconds), (seconds))
  // Verify the TLS certificate (default true).
  UVSCRAPE_REQUEST_SETTER(verify, (bool on), (on))
  // This request through this proxy (http://[user:password@]host:port,
  // socks5://..., socks5h://...), whatever DriverOptions::proxy and no_proxy
  // say; no_proxy() sends it direct. Not inherited by the requests it leads to.
  UVSCRAPE_REQUEST_SETTER(proxy, (std::string url), (std::move(url)))
  UVSCRAPE_REQUEST_SETTER(no_proxy, (), ())
  // How often a transient failure of this request is retried (unset: the
  // driver's max_retries; clamped to 0..100); no_retry() is retries(0).
  UVSCRAPE_REQUEST_SETTER(retries, (int count), (count))
  UVSCRAPE_REQUEST_SETTER(no_retry, (), ())
  // An explicit dedup key (used verbatim), or `skip_deduplication`.
  UVSCRAPE_REQUEST_SETTER(dedup_key, (std::string key), (std::move(key)))
  UVSCRAPE_REQUEST_SETTER(dedup_key, (SkipDeduplication), (skip_deduplication))
  // An API/side-channel fetch: the "browser" stays on the current page (docs/design.md §11).
  UVSCRAPE_REQUEST_SETTER(nonnavigating, (bool on = true), (on))
  // A file download stored by the driver; the step gets an ArchiveResponse.
  UVSCRAPE_REQUEST_SETTER(archive, (std::string expected_type = {}), (std::move(expected_type)))
  // File-type hint ("pdf", "audio", "image"...).
  UVSCRAPE_REQUEST_SETTER(expected_type, (std::string type), (std::move(type)))
  // Headers/cookies sent by this request and every descendant (docs/design.md §7).
  UVSCRAPE_REQUEST_SETTER(permanent_header, (std::string name, std::string value),
                          (std::move(name), std::move(value)))
  UVSCRAPE_REQUEST_SETTER(permanent_cookie, (std::string name, std::string value),
                          (std::move(name), std::move(value)))
  // The cookie jar this request and its descendants use (docs/design.md §21):
  // "" is the run's default jar; another name is a session of its own, as
  // Scrapy's `cookiejar` meta is. A child keeps its parent's jar unless it
  // names one. A named jar is part of the dedup key, so two sessions may
  // fetch the same page.
  UVSCRAPE_REQUEST_SETTER(cookie_jar, (std::string name), (std::move(name)))
  // Sets the current location by hand (entry requests normally have none).
  UVSCRAPE_REQUEST_SETTER(current_location, (std::string url), (std::move(url)))

  // --- what to fetch --------------------------------------------------------------
  HttpMethod method() const noexcept { return method_; }
  // Absolute once resolved; as given for entry requests and unresolved yields.
  const std::string& url() const noexcept { return url_; }
  const NameValueList& params() const noexcept;
  // What form() or body() set.
  const RequestBody& body() const noexcept;
  const std::optional<Json>& json() const noexcept;
  // Only the headers/cookies set on this request.
  const NameValueList& headers() const noexcept;
  const NameValueList& cookies() const noexcept;
  // What is sent: permanent entries overridden per name by this request's own.
  // Header names compare case-insensitively, cookie names exactly.
  NameValueList effective_headers() const;
  NameValueList effective_cookies() const;
  const NameValueList& permanent_headers() const noexcept;
  const NameValueList& permanent_cookies() const noexcept;
  // The cookie jar's name ("" for the run's default jar).
  const std::string& cookie_jar() const noexcept;
  std::optional<double> timeout() const noexcept;
  bool verify() const noexcept { return verify_; }
  // The request's own proxy choice: unset (the driver's rules), a proxy URL,
  // or "" (no_proxy(): direct).
  const std::optional<std::string>& proxy() const noexcept;
  // The retry override, if one was set.
  std::optional<int> retries() const noexcept {
    return retries_ < 0 ? std::nullopt : std::optional<int>(retries_);
  }
  // How many times the driver has sent this request (0 before the first).
  int attempts() const noexcept { return attempts_; }

  // --- where the response goes and what it carries ---------------------------------
  // The step that receives the response (the reference's `continuation`).
  const std::string& to() const noexcept;
  // The page the "browser" was on when this request was made ("" for entries).
  const std::string& current_location() const noexcept;
  // The request whose step yielded this one (null for entry requests).
  const std::shared_ptr<const Request>& previous_request() const noexcept { return parent_; }
  // {} when none was given.
  const Json& accumulated_data() const noexcept;
  // Effective priority: the explicit one, else 1 for archive requests, else 9.
  int priority() const noexcept;
  std::optional<int> explicit_priority() const noexcept;

  // --- kind --------------------------------------------------------------------------
  bool is_nonnavigating() const noexcept { return nonnavigating_; }
  bool is_archive() const noexcept { return archive_; }
  // Navigating = neither non-navigating nor archive.
  bool is_navigating() const noexcept { return !nonnavigating_ && !archive_; }
  const std::optional<std::string>& expected_type() const noexcept;
  bool is_speculative() const noexcept { return speculative_; }
  const std::optional<SpeculationId>& speculation_id() const noexcept;

  // --- deduplication (docs/design.md §2) ------------------------------------------------
  DedupMode dedup_mode() const noexcept { return dedup_mode_; }
  // automatic: lower-case hex SHA-256 of the canonical form of method, absolute
  // normalised URL, sorted query (URL query + params), canonical body; explicit:
  // the caller's key; skip: nullopt. Call it on the resolved request.
  std::optional<std::string> dedup_key() const;
  // A 128-bit digest of dedup_key() (explicit keys hashed too), for seen-sets.
  std::optional<DedupFingerprint> dedup_fingerprint() const;

  // The URL as sent: url() with params() appended to its query.
  std::string url_with_params() const;
  // json() as compact text, or nullopt.
  std::optional<std::string> json_text() const;

  // Opaque storage blocks (defined in the library's sources).
  struct Extras;
  struct Permanent;

 private:
  friend struct detail::RequestAccess;

  void set_to(std::string step);
  void set_accumulated_data(Json data);
  void set_priority(int value);
  void set_params(NameValueList pairs);
  void set_param(std::string name, std::string value);
  void set_form(NameValueList pairs);
  void set_body(std::string bytes);
  void set_json(Json value);
  void set_header(std::string name, std::string value);
  void set_headers(NameValueList pairs);
  void set_cookie(std::string name, std::string value);
  void set_cookies(NameValueList pairs);
  void set_timeout(double seconds);
  void set_verify(bool on) { verify_ = on; }
  void set_proxy(std::string url);
  void set_no_proxy();
  void set_retries(int count) {
    retries_ = static_cast<std::int8_t>(count < 0 ? 0 : count > 100 ? 100 : count);
  }
  void set_no_retry() { retries_ = 0; }
  void set_dedup_key(std::string key);
  void set_dedup_key(SkipDeduplication);
  void set_nonnavigating(bool on) { nonnavigating_ = on; }
  void set_archive(std::string expected_type);
  void set_expected_type(std::string type);
  void set_permanent_header(std::string name, std::string value);
  void set_permanent_cookie(std::string name, std::string value);
  void set_cookie_jar(std::string name);
  void set_current_location(std::string url);
  // Marks a speculative probe (the speculation tracker does, through RequestAccess).
  void set_speculative(SpeculationId id);

  Extras& mutable_extras();
  Permanent& mutable_permanent();

  std::string url_;
  const std::string* continuation_ = nullptr;            // interned step name
  std::shared_ptr<const std::string> current_location_;  // shared by siblings
  std::shared_ptr<const Request> parent_;
  Json accumulated_data_;                       // null means {}
  std::shared_ptr<Extras> extras_;              // copy-on-write
  std::shared_ptr<const Permanent> permanent_;  // shared across generations
  std::int32_t priority_ = 0;
  bool has_priority_ = false;
  HttpMethod method_;
  DedupMode dedup_mode_ = DedupMode::automatic;
  bool verify_ = true;
  bool nonnavigating_ = false;
  bool archive_ = false;
  bool speculative_ = false;
  bool url_normalised_ = false;  // set by resolution: dedup keys skip normalising again
  std::int8_t retries_ = -1;     // -1: the driver's max_retries
  std::uint8_t attempts_ = 0;    // counted by the driver (detail::RequestAccess)
};

#undef UVSCRAPE_REQUEST_SETTER

}  // namespace uvscrape
