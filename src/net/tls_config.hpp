// Shared client-side mbedTLS configurations, one per (verify, CA file).
//
// Building an mbedtls_ssl_config means seeding a DRBG and, with verification,
// parsing a CA bundle (the system bundle holds ~140 certificates), so every
// connection with the same settings shares one. Configurations are immutable
// once built and kept alive by the connections using them (shared_ptr).
// Not thread-safe: one cache per loop thread.
#pragma once

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "net/tls_settings.hpp"

namespace uvscrape::net {

// The system CA bundle (Debian's ca-certificates package).
inline constexpr const char* kSystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";

// An mbedtls_ssl_config plus the CA chain, DRBG and entropy it points to.
// Built once by TlsConfigCache; TlsStream only reads it (mbedtls_ssl_setup).
struct TlsConfig {
  TlsConfig();
  ~TlsConfig();
  TlsConfig(const TlsConfig&) = delete;
  TlsConfig& operator=(const TlsConfig&) = delete;

  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_x509_crt ca_chain;
  mbedtls_x509_crt own_cert;  // mutual TLS
  mbedtls_pk_context own_key;
  std::vector<int> ciphers;  // zero-terminated ids; mbedtls_ssl_config points into it
  mbedtls_ssl_config ssl;
  bool verify = true;
};

class TlsConfigCache {
 public:
  // `system_ca_file` is used when a request names no CA file; `settings`
  // apply to every configuration built.
  explicit TlsConfigCache(std::string system_ca_file = kSystemCaBundle, TlsSettings settings = {});
  ~TlsConfigCache();
  TlsConfigCache(const TlsConfigCache&) = delete;
  TlsConfigCache& operator=(const TlsConfigCache&) = delete;

  // The configuration for `verify` and `ca_file` (empty: the system bundle),
  // built on first use. With verify=false the CA file is not read and any
  // certificate is accepted. Throws TlsVerificationError(url, ...) when the CA
  // file cannot be loaded (nothing could ever verify against it), and
  // ScraperConfigError(url...) for settings that cannot apply (an unknown
  // version or cipher suite, a client certificate or key that does not load).
  // Reads the CA and client certificate files once per configuration, on the
  // calling thread (small local files, then cached).
  std::shared_ptr<const TlsConfig> get(bool verify, const std::string& ca_file,
                                       const std::string& url);

  size_t size() const { return configs_.size(); }

 private:
  std::string system_ca_file_;
  TlsSettings settings_;
  std::map<std::pair<bool, std::string>, std::shared_ptr<const TlsConfig>> configs_;
};

// mbedTLS's text for an error code ("SSL - ..."), for error reasons.
std::string mbedtls_error_text(int code);

// For a handshake that failed with `code`: " (...)" naming the TLS settings
// that might let a legacy or mutual-TLS server in, or "" if none would.
std::string tls_settings_hint(int code);

}  // namespace uvscrape::net
