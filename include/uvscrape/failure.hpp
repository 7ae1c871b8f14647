// A request that failed for good, as the driver records it (docs/design.md §17):
// a failure does not end the crawl by default; it is recorded, counted by its
// kind, shown to Driver::on_failure, and the crawl goes on.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>

#include "uvscrape/request.hpp"

namespace uvscrape {

// One kind per error type a request can fail with (uvscrape/errors.hpp).
enum class FailureKind : std::uint8_t {
  http_status_persistent,  // PersistentHTTPResponseException (404, 500, ...)
  http_status_transient,   // HTMLResponseAssumptionException (503, 429, ...)
  timeout,                 // RequestTimeoutException
  dns,                     // DnsError
  connection,              // ConnectionError (refused, reset, truncated)
  tls_handshake,           // TlsHandshakeError
  tls_verification,        // TlsVerificationError
  protocol,                // ProtocolError (malformed HTTP, corrupt body)
  limit_exceeded,          // LimitExceededError (header, body, decoded bytes; yields)
  too_many_redirects,      // TooManyRedirectsError
  redirect_refused,        // RedirectRefusedError
  proxy,                   // ProxyError (407, a refused CONNECT or SOCKS5 request)
  invalid_url,             // UrlError: a request or a yielded link that is not a URL
  structural,              // ScraperAssumptionException from the step
  invalid_data,            // DataFormatAssumptionException (no on_invalid_data)
  robots_disallowed,       // RobotsDisallowedError: robots.txt disallows it, not sent
  no_stored_response,      // NoStoredResponseError: a replay found no stored response
  other,                   // any other Persistent/TransientException
};
inline constexpr std::size_t kFailureKinds = static_cast<std::size_t>(FailureKind::other) + 1;
// The error type's name: "PersistentHTTPResponseException", "ConnectionError", ...
const char* to_string(FailureKind kind) noexcept;

// Failures counted by kind: counts[FailureKind::timeout], total().
struct FailureCounts {
  std::array<std::uint64_t, kFailureKinds> by_kind{};
  std::uint64_t operator[](FailureKind kind) const noexcept {
    return by_kind[static_cast<std::size_t>(kind)];
  }
  std::uint64_t total() const noexcept {
    std::uint64_t n = 0;
    for (std::uint64_t c : by_kind) n += c;
    return n;
  }
};

struct Failure {
  std::string url;       // the failed request's URL; for a bad link, the link as yielded
  std::string step;      // the step the request was for; for a bad link, the step that yielded it
  std::string page_url;  // the page the request (or bad link) was found on; "" for entries
  FailureKind kind = FailureKind::other;
  std::string message;  // the error's what(): names the URL (and page and step)
  unsigned attempts = 1;
  std::chrono::system_clock::time_point time;  // when it failed
  std::exception_ptr error;                    // the typed error (rethrow to inspect it)
  // The failed request; for a bad link, the request of the page that yielded it.
  std::shared_ptr<const Request> request;
};

}  // namespace uvscrape
