// The error taxonomy users see (docs/design.md §8: network failures are transient;
// TLS verification failures, protocol errors and limits are persistent).
//
//   Error
//   ├── PersistentException            retrying cannot help
//   │   ├── ScraperAssumptionException  the page is not what the step expected
//   │   │   ├── HTMLStructuralAssumptionException
//   │   │   └── DataFormatAssumptionException
//   │   ├── PersistentHTTPResponseException
//   │   ├── ScraperConfigError
//   │   ├── UrlError, TlsVerificationError, ProtocolError,
//   │   │   LimitExceededError, TooManyRedirectsError, RedirectRefusedError
//   ├── TransientException             might succeed on retry
//   │   ├── HTMLResponseAssumptionException
//   │   ├── RequestTimeoutException
//   │   └── DnsError, ConnectionError, TlsHandshakeError
//   ├── SpeculationHTTPFailure         a speculative probe hit a persistent status
//   ├── CancelledError                 the request was cancelled by its owner
//   ├── ArchiveError                   an archived file could not be stored
//   └── StoreError                     the run store failed (names the file)
//
// Every message names the URL involved. This header names Json without
// compiling nlohmann/json: include "uvscrape/json.hpp" to read errors() of a
// DataFormatAssumptionException.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "uvscrape/json_fwd.hpp"

namespace uvscrape {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class PersistentException : public Error {
 public:
  using Error::Error;
};

class TransientException : public Error {
 public:
  using Error::Error;
};

// --- scraper-side assumptions --------------------------------------------------

// Ordered key/value context printed under "Context:" in the message.
using ErrorContext = std::vector<std::pair<std::string, std::string>>;

class ScraperAssumptionException : public PersistentException {
 public:
  ScraperAssumptionException(std::string message, std::string request_url,
                             ErrorContext context = {});
  const std::string& message() const noexcept { return message_; }
  const std::string& request_url() const noexcept { return request_url_; }
  const ErrorContext& context() const noexcept { return context_; }

 private:
  std::string message_;
  std::string request_url_;
  ErrorContext context_;
};

class HTMLStructuralAssumptionException : public ScraperAssumptionException {
 public:
  HTMLStructuralAssumptionException(std::string selector, std::string selector_type,
                                    std::string description, long expected_min,
                                    std::optional<long> expected_max, long actual_count,
                                    std::string request_url, bool is_element_query = true);
  const std::string& selector() const noexcept { return selector_; }
  const std::string& selector_type() const noexcept { return selector_type_; }
  const std::string& description() const noexcept { return description_; }
  long expected_min() const noexcept { return expected_min_; }
  std::optional<long> expected_max() const noexcept { return expected_max_; }
  long actual_count() const noexcept { return actual_count_; }
  bool is_element_query() const noexcept { return is_element_query_; }

 private:
  std::string selector_, selector_type_, description_;
  long expected_min_;
  std::optional<long> expected_max_;
  long actual_count_;
  bool is_element_query_;
};

// `errors` is a JSON array of {"loc": [...], "msg": "...", "type": "..."}.
class DataFormatAssumptionException : public ScraperAssumptionException {
 public:
  DataFormatAssumptionException(Json errors, Json failed_doc, std::string model_name,
                                std::string request_url);
  const Json& errors() const noexcept { return *errors_; }
  const Json& failed_doc() const noexcept { return *failed_doc_; }
  const std::string& model_name() const noexcept { return model_name_; }

 private:
  // Shared and immutable, so that the exception copies cheaply and this header
  // needs only the name of Json.
  std::shared_ptr<const Json> errors_;
  std::shared_ptr<const Json> failed_doc_;
  std::string model_name_;
};

// --- HTTP status classification --------------------------------------------------

// `url` is the URL asked for; `final_url` the one that answered after redirects
// (empty: the same). The message names both when they differ.
class PersistentHTTPResponseException : public PersistentException {
 public:
  PersistentHTTPResponseException(int status_code, std::string url, std::string final_url = {});
  int status_code() const noexcept { return status_code_; }
  const std::string& url() const noexcept { return url_; }
  const std::string& final_url() const noexcept { return final_url_; }

 private:
  int status_code_;
  std::string url_;
  std::string final_url_;
};

// `url` and `final_url` as for PersistentHTTPResponseException.
class HTMLResponseAssumptionException : public TransientException {
 public:
  HTMLResponseAssumptionException(int status_code, std::vector<int> expected_codes, std::string url,
                                  std::string final_url = {});
  int status_code() const noexcept { return status_code_; }
  const std::vector<int>& expected_codes() const noexcept { return expected_codes_; }
  const std::string& url() const noexcept { return url_; }
  const std::string& final_url() const noexcept { return final_url_; }

 private:
  int status_code_;
  std::vector<int> expected_codes_;
  std::string url_;
  std::string final_url_;
};

class SpeculationHTTPFailure : public Error {
 public:
  SpeculationHTTPFailure(int status_code, std::string url);
  int status_code() const noexcept { return status_code_; }
  const std::string& url() const noexcept { return url_; }

 private:
  int status_code_;
  std::string url_;
};

class ScraperConfigError : public PersistentException {
 public:
  using PersistentException::PersistentException;
};

// --- network and protocol (docs/design.md §8) ------------------------------------------

// Which deadline fired.
enum class TimeoutPhase { connect, tls_handshake, first_byte, idle_read, total };
const char* to_string(TimeoutPhase phase) noexcept;

// "Request to <url> timed out after <seconds>s" (seconds printed like 30.0, 12.345).
class RequestTimeoutException : public TransientException {
 public:
  RequestTimeoutException(std::string url, double timeout_seconds,
                          TimeoutPhase phase = TimeoutPhase::total);
  const std::string& url() const noexcept { return url_; }
  double timeout_seconds() const noexcept { return timeout_seconds_; }
  TimeoutPhase phase() const noexcept { return phase_; }

 private:
  std::string url_;
  double timeout_seconds_;
  TimeoutPhase phase_;
};

// Base for errors that carry the URL and a human reason.
#define UVSCRAPE_URL_ERROR(Name, Base)                             \
  class Name : public Base {                                       \
   public:                                                         \
    Name(std::string url, std::string reason);                     \
    const std::string& url() const noexcept { return url_; }       \
    const std::string& reason() const noexcept { return reason_; } \
                                                                   \
   private:                                                        \
    std::string url_;                                              \
    std::string reason_;                                           \
  };

// A URL that cannot be parsed or fetched (no scheme, bad port, unsupported scheme...).
UVSCRAPE_URL_ERROR(UrlError, PersistentException)
// The host name did not resolve.
UVSCRAPE_URL_ERROR(DnsError, TransientException)
// Refused, reset, or closed by the peer before the response was complete.
UVSCRAPE_URL_ERROR(ConnectionError, TransientException)
// The TLS handshake failed for a reason other than certificate verification.
UVSCRAPE_URL_ERROR(TlsHandshakeError, TransientException)
// The server's certificate was rejected (untrusted, expired, wrong host name).
UVSCRAPE_URL_ERROR(TlsVerificationError, PersistentException)
// The server sent something that is not valid HTTP/1.1.
UVSCRAPE_URL_ERROR(ProtocolError, PersistentException)
// A configured limit (header bytes, body bytes, decoded size) was exceeded.
UVSCRAPE_URL_ERROR(LimitExceededError, PersistentException)
// More redirects than allowed, or a redirect loop.
UVSCRAPE_URL_ERROR(TooManyRedirectsError, PersistentException)
// A redirect that is not followed on purpose (https->http downgrade, bad Location).
UVSCRAPE_URL_ERROR(RedirectRefusedError, PersistentException)
// The request was cancelled (client closed, request cancelled by its owner).
UVSCRAPE_URL_ERROR(CancelledError, Error)
// An archived download could not be written to storage_dir (disk full, permissions...).
UVSCRAPE_URL_ERROR(ArchiveError, Error)
// The host's robots.txt disallows the URL (DriverOptions::obey_robots_txt): the
// request was not sent. Neither transient nor persistent: the crawler's own
// choice, recorded as a Failure of kind robots_disallowed, never retried.
UVSCRAPE_URL_ERROR(RobotsDisallowedError, Error)

#undef UVSCRAPE_URL_ERROR

// A proxy refused to carry the request to `url`: 407 (authentication), any
// other answer than 2xx to CONNECT, a SOCKS5 refusal, or a proxy that does not
// speak its protocol. `proxy` is the proxy URL without credentials; `status`
// the proxy's HTTP status (0 for SOCKS5). Persistent: the proxy answers the
// same way the next time. A proxy that cannot be reached at all is a
// ConnectionError (transient) naming the proxy instead.
class ProxyError : public PersistentException {
 public:
  ProxyError(std::string url, std::string proxy, std::string reason, int status = 0);
  const std::string& url() const noexcept { return url_; }
  const std::string& proxy() const noexcept { return proxy_; }
  const std::string& reason() const noexcept { return reason_; }
  int status() const noexcept { return status_; }

 private:
  std::string url_;
  std::string proxy_;
  std::string reason_;
  int status_;
};

// The run store (DriverOptions::store_path) cannot be opened, read or written:
// "run store <file>: <reason>" (in use by another process, read-only, disk
// full, made by a newer uvscrape, a different scraper's run...). What was
// committed before the error stays in the file.
class StoreError : public Error {
 public:
  StoreError(std::string file, std::string reason);
  const std::string& file() const noexcept { return file_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string file_;
  std::string reason_;
};

// A replayed request (DriverOptions::replay_from) that the stored run never
// answered: "no stored response for GET <url> in run store <file>".
class NoStoredResponseError : public PersistentException {
 public:
  NoStoredResponseError(std::string url, std::string file);
  const std::string& url() const noexcept { return url_; }
  const std::string& file() const noexcept { return file_; }

 private:
  std::string url_;
  std::string file_;
};

}  // namespace uvscrape
