// Message formats of the error taxonomy: each names the URL, and the
// assumption errors add a "Context:" block of key/value lines.
#include "uvscrape/errors.hpp"

#include <charconv>
#include <system_error>

#include "uvscrape/json.hpp"

namespace uvscrape {
namespace {

std::string with_context(const std::string& message, const std::string& url,
                         const ErrorContext& context) {
  std::string out = message + "\nURL: " + url;
  if (!context.empty()) {
    out += "\nContext:";
    for (const auto& [key, value] : context) out += "\n  " + key + ": " + value;
  }
  return out;
}

std::string expected_phrase(long min, std::optional<long> max) {
  if (!max) return "at least " + std::to_string(min);
  if (*max == min) return "exactly " + std::to_string(min);
  return "between " + std::to_string(min) + " and " + std::to_string(*max);
}

// Shortest round-trip form with at least one decimal: 30.0, 12.345, 0.25.
std::string seconds_text(double s) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, s);  // shortest round-trip form
  std::string text(buf, ec == std::errc{} ? end : buf);
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

std::string join_codes(const std::vector<int>& codes) {
  std::string out;
  for (size_t i = 0; i < codes.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(codes[i]);
  }
  return out;
}

std::string data_format_message(const Json& errors, const std::string& model) {
  std::string out = "Data validation failed for model '" + model + "': ";
  bool first = true;
  for (const auto& e : errors) {
    if (!first) out += ", ";
    first = false;
    std::string loc;
    if (e.contains("loc") && e["loc"].is_array() && !e["loc"].empty()) {
      const auto& l0 = e["loc"][0];
      loc = l0.is_string() ? l0.get<std::string>() : l0.dump();
    }
    out += loc + ": " + e.value("msg", std::string{});
  }
  return out;
}

}  // namespace

ScraperAssumptionException::ScraperAssumptionException(std::string message, std::string request_url,
                                                       ErrorContext context)
    : PersistentException(with_context(message, request_url, context)),
      message_(std::move(message)),
      request_url_(std::move(request_url)),
      context_(std::move(context)) {}

HTMLStructuralAssumptionException::HTMLStructuralAssumptionException(
    std::string selector, std::string selector_type, std::string description, long expected_min,
    std::optional<long> expected_max, long actual_count, std::string request_url,
    bool is_element_query)
    : ScraperAssumptionException(
          "HTML structure mismatch: Expected " + expected_phrase(expected_min, expected_max) +
              " elements for '" + description + "', but found " + std::to_string(actual_count),
          std::move(request_url),
          ErrorContext{
              {"selector", selector},
              {"selector_type", selector_type},
              {"expected_min", std::to_string(expected_min)},
              {"expected_max", expected_max ? std::to_string(*expected_max) : "unlimited"},
              {"actual_count", std::to_string(actual_count)},
              {"is_element_query", is_element_query ? "True" : "False"},
          }),
      selector_(std::move(selector)),
      selector_type_(std::move(selector_type)),
      description_(std::move(description)),
      expected_min_(expected_min),
      expected_max_(expected_max),
      actual_count_(actual_count),
      is_element_query_(is_element_query) {}

DataFormatAssumptionException::DataFormatAssumptionException(Json errors, Json failed_doc,
                                                             std::string model_name,
                                                             std::string request_url)
    : ScraperAssumptionException(data_format_message(errors, model_name), std::move(request_url),
                                 ErrorContext{{"model", model_name},
                                              {"error_count", std::to_string(errors.size())},
                                              {"errors", errors.dump()},
                                              {"failed_doc", failed_doc.dump()}}),
      errors_(std::make_shared<const Json>(std::move(errors))),
      failed_doc_(std::make_shared<const Json>(std::move(failed_doc))),
      model_name_(std::move(model_name)) {}

namespace {

// "<url>", or "<final> (redirected from <url>)" when another URL answered.
std::string answered_by(const std::string& url, std::string& final_url) {
  if (final_url.empty()) final_url = url;
  if (final_url == url) return url;
  return final_url + " (redirected from " + url + ")";
}

}  // namespace

PersistentHTTPResponseException::PersistentHTTPResponseException(int status_code, std::string url,
                                                                 std::string final_url)
    : PersistentException("HTTP " + std::to_string(status_code) + " from " +
                          answered_by(url, final_url) + " (persistent)"),
      status_code_(status_code),
      url_(std::move(url)),
      final_url_(std::move(final_url)) {}

HTMLResponseAssumptionException::HTMLResponseAssumptionException(int status_code,
                                                                 std::vector<int> expected_codes,
                                                                 std::string url,
                                                                 std::string final_url)
    : TransientException("HTTP " + std::to_string(status_code) + " from " +
                         answered_by(url, final_url) +
                         " (expected one of: " + join_codes(expected_codes) + ")"),
      status_code_(status_code),
      expected_codes_(std::move(expected_codes)),
      url_(std::move(url)),
      final_url_(std::move(final_url)) {}

SpeculationHTTPFailure::SpeculationHTTPFailure(int status_code, std::string url)
    : Error("HTTP " + std::to_string(status_code) + " from " + url + " (speculation probe failed)"),
      status_code_(status_code),
      url_(std::move(url)) {}

const char* to_string(TimeoutPhase phase) noexcept {
  switch (phase) {
    case TimeoutPhase::connect: return "connect";
    case TimeoutPhase::tls_handshake: return "TLS handshake";
    case TimeoutPhase::first_byte: return "first byte";
    case TimeoutPhase::idle_read: return "idle read";
    case TimeoutPhase::total: return "total";
  }
  return "unknown";
}

RequestTimeoutException::RequestTimeoutException(std::string url, double timeout_seconds,
                                                 TimeoutPhase phase)
    : TransientException("Request to " + url + " timed out after " + seconds_text(timeout_seconds) +
                         "s"),
      url_(std::move(url)),
      timeout_seconds_(timeout_seconds),
      phase_(phase) {}

#define UVSCRAPE_URL_ERROR_IMPL(Name, Base, what)                \
  Name::Name(std::string url, std::string reason)                \
      : Base(std::string(what) + " for " + url + ": " + reason), \
        url_(std::move(url)),                                    \
        reason_(std::move(reason)) {}

UVSCRAPE_URL_ERROR_IMPL(UrlError, PersistentException, "Invalid URL")
UVSCRAPE_URL_ERROR_IMPL(DnsError, TransientException, "DNS resolution failed")
UVSCRAPE_URL_ERROR_IMPL(ConnectionError, TransientException, "Connection failed")
UVSCRAPE_URL_ERROR_IMPL(TlsHandshakeError, TransientException, "TLS handshake failed")
UVSCRAPE_URL_ERROR_IMPL(TlsVerificationError, PersistentException,
                        "TLS certificate verification failed")
UVSCRAPE_URL_ERROR_IMPL(ProtocolError, PersistentException, "Malformed HTTP response")
UVSCRAPE_URL_ERROR_IMPL(LimitExceededError, PersistentException, "Limit exceeded")
UVSCRAPE_URL_ERROR_IMPL(TooManyRedirectsError, PersistentException, "Too many redirects")
UVSCRAPE_URL_ERROR_IMPL(RedirectRefusedError, PersistentException, "Redirect refused")
UVSCRAPE_URL_ERROR_IMPL(CancelledError, Error, "Request cancelled")
UVSCRAPE_URL_ERROR_IMPL(ArchiveError, Error, "Archive write failed")
UVSCRAPE_URL_ERROR_IMPL(RobotsDisallowedError, Error, "Disallowed by robots.txt")

#undef UVSCRAPE_URL_ERROR_IMPL

ProxyError::ProxyError(std::string url, std::string proxy, std::string reason, int status)
    : PersistentException("Proxy " + proxy + " refused the request for " + url + ": " + reason),
      url_(std::move(url)),
      proxy_(std::move(proxy)),
      reason_(std::move(reason)),
      status_(status) {}

StoreError::StoreError(std::string file, std::string reason)
    : Error("run store " + file + ": " + reason),
      file_(std::move(file)),
      reason_(std::move(reason)) {}

NoStoredResponseError::NoStoredResponseError(std::string url, std::string file)
    : PersistentException("no stored response for " + url + " in run store " + file),
      url_(std::move(url)),
      file_(std::move(file)) {}

}  // namespace uvscrape
