// Client mbedTLS configurations (see tls_config.hpp).
#include "net/tls_config.hpp"

#include <mbedtls/error.h>

#include "uvscrape/errors.hpp"

namespace uvscrape::net {

std::string mbedtls_error_text(int code) {
  char text[160];
  mbedtls_strerror(code, text, sizeof text);
  return text;
}

TlsConfig::TlsConfig() {
  mbedtls_entropy_init(&entropy);
  mbedtls_ctr_drbg_init(&drbg);
  mbedtls_x509_crt_init(&ca_chain);
  mbedtls_ssl_config_init(&ssl);
}

TlsConfig::~TlsConfig() {
  mbedtls_ssl_config_free(&ssl);
  mbedtls_x509_crt_free(&ca_chain);
  mbedtls_ctr_drbg_free(&drbg);
  mbedtls_entropy_free(&entropy);
}

TlsConfigCache::TlsConfigCache(std::string system_ca_file)
    : system_ca_file_(std::move(system_ca_file)) {}

TlsConfigCache::~TlsConfigCache() = default;

std::shared_ptr<const TlsConfig> TlsConfigCache::get(bool verify, const std::string& ca_file,
                                                     const std::string& url) {
  // Without verification the CA file is irrelevant: one shared config.
  auto key = std::make_pair(verify, verify ? ca_file : std::string());
  if (auto it = configs_.find(key); it != configs_.end()) return it->second;

  auto config = std::make_shared<TlsConfig>();
  config->verify = verify;
  static const char personalisation[] = "uvscrape tls client";
  int rc = mbedtls_ctr_drbg_seed(&config->drbg, mbedtls_entropy_func, &config->entropy,
                                 reinterpret_cast<const unsigned char*>(personalisation),
                                 sizeof personalisation - 1);
  if (rc != 0)
    throw TlsHandshakeError(url, "cannot seed the random generator: " + mbedtls_error_text(rc));

  rc = mbedtls_ssl_config_defaults(&config->ssl, MBEDTLS_SSL_IS_CLIENT,
                                   MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
  if (rc != 0) throw TlsHandshakeError(url, "cannot configure TLS: " + mbedtls_error_text(rc));
  mbedtls_ssl_conf_rng(&config->ssl, mbedtls_ctr_drbg_random, &config->drbg);
  // TLS 1.2 is the oldest version still considered safe.
  mbedtls_ssl_conf_min_version(&config->ssl, MBEDTLS_SSL_MAJOR_VERSION_3,
                               MBEDTLS_SSL_MINOR_VERSION_3);

  if (verify) {
    const std::string& path = ca_file.empty() ? system_ca_file_ : ca_file;
    rc = mbedtls_x509_crt_parse_file(&config->ca_chain, path.c_str());
    // rc > 0 counts certificates that could not be parsed; the rest are usable.
    if (rc < 0 || config->ca_chain.version == 0) {
      throw TlsVerificationError(url, "cannot load CA certificates from " + path + ": " +
                                          (rc < 0 ? mbedtls_error_text(rc) : "none found"));
    }
    mbedtls_ssl_conf_ca_chain(&config->ssl, &config->ca_chain, nullptr);
    mbedtls_ssl_conf_authmode(&config->ssl, MBEDTLS_SSL_VERIFY_REQUIRED);
  } else {
    mbedtls_ssl_conf_authmode(&config->ssl, MBEDTLS_SSL_VERIFY_NONE);
  }
  configs_.emplace(key, config);
  return config;
}

}  // namespace uvscrape::net
