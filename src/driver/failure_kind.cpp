// Failure kinds; see failure_kind.hpp and uvscrape/failure.hpp.
#include "driver/failure_kind.hpp"

#include "driver/stored_failure.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape {

const char* to_string(FailureKind kind) noexcept {
  switch (kind) {
    case FailureKind::http_status_persistent: return "PersistentHTTPResponseException";
    case FailureKind::http_status_transient: return "HTMLResponseAssumptionException";
    case FailureKind::timeout: return "RequestTimeoutException";
    case FailureKind::dns: return "DnsError";
    case FailureKind::connection: return "ConnectionError";
    case FailureKind::tls_handshake: return "TlsHandshakeError";
    case FailureKind::tls_verification: return "TlsVerificationError";
    case FailureKind::protocol: return "ProtocolError";
    case FailureKind::limit_exceeded: return "LimitExceededError";
    case FailureKind::too_many_redirects: return "TooManyRedirectsError";
    case FailureKind::redirect_refused: return "RedirectRefusedError";
    case FailureKind::proxy: return "ProxyError";
    case FailureKind::invalid_url: return "UrlError";
    case FailureKind::structural: return "ScraperAssumptionException";
    case FailureKind::invalid_data: return "DataFormatAssumptionException";
    case FailureKind::robots_disallowed: return "RobotsDisallowedError";
    case FailureKind::no_stored_response: return "NoStoredResponseError";
    case FailureKind::other: return "other";
  }
  return "other";
}

namespace driver {

FailureKind failure_kind(const std::exception_ptr& error) noexcept {
  if (!error) return FailureKind::other;
  try {
    std::rethrow_exception(error);
  } catch (const StoredFailureError& e) {
    return e.kind();
  } catch (const PersistentHTTPResponseException&) {
    return FailureKind::http_status_persistent;
  } catch (const HTMLResponseAssumptionException&) {
    return FailureKind::http_status_transient;
  } catch (const RequestTimeoutException&) {
    return FailureKind::timeout;
  } catch (const DnsError&) {
    return FailureKind::dns;
  } catch (const ConnectionError&) {
    return FailureKind::connection;
  } catch (const TlsHandshakeError&) {
    return FailureKind::tls_handshake;
  } catch (const TlsVerificationError&) {
    return FailureKind::tls_verification;
  } catch (const ProtocolError&) {
    return FailureKind::protocol;
  } catch (const LimitExceededError&) {
    return FailureKind::limit_exceeded;
  } catch (const TooManyRedirectsError&) {
    return FailureKind::too_many_redirects;
  } catch (const RedirectRefusedError&) {
    return FailureKind::redirect_refused;
  } catch (const ProxyError&) {
    return FailureKind::proxy;
  } catch (const UrlError&) {
    return FailureKind::invalid_url;
  } catch (const RobotsDisallowedError&) {
    return FailureKind::robots_disallowed;
  } catch (const NoStoredResponseError&) {
    return FailureKind::no_stored_response;
  } catch (const DataFormatAssumptionException&) {
    return FailureKind::invalid_data;
  } catch (const ScraperAssumptionException&) {
    return FailureKind::structural;
  } catch (...) {
    return FailureKind::other;
  }
}

FailureKind failure_kind_named(std::string_view name) noexcept {
  for (std::size_t k = 0; k < kFailureKinds; ++k)
    if (name == to_string(static_cast<FailureKind>(k))) return static_cast<FailureKind>(k);
  return FailureKind::other;
}

}  // namespace driver
}  // namespace uvscrape
