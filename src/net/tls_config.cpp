// Client mbedTLS configurations (see tls_config.hpp).
#include "net/tls_config.hpp"

#include <mbedtls/error.h>

#include "uvscrape/errors.hpp"

namespace uvscrape::net {

namespace {

// "1.0" -> MBEDTLS_SSL_MINOR_VERSION_1 ...; -1 for anything else.
int minor_version(const std::string& version) {
  if (version == "1.0") return MBEDTLS_SSL_MINOR_VERSION_1;
  if (version == "1.1") return MBEDTLS_SSL_MINOR_VERSION_2;
  if (version == "1.2") return MBEDTLS_SSL_MINOR_VERSION_3;
  return -1;
}

}  // namespace

std::string tls_settings_hint(int code) {
  switch (code) {
    case MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION:
    case MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN:
    case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE:
    case MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO:
      return " (a legacy server may need DriverOptions::tls_min_version, tls_max_version or "
             "tls_ciphers; one that asks for a client certificate, tls_client_cert_file and "
             "tls_client_key_file)";
  }
  return {};
}

std::string mbedtls_error_text(int code) {
  char text[160];
  mbedtls_strerror(code, text, sizeof text);
  return text;
}

TlsConfig::TlsConfig() {
  mbedtls_entropy_init(&entropy);
  mbedtls_ctr_drbg_init(&drbg);
  mbedtls_x509_crt_init(&ca_chain);
  mbedtls_x509_crt_init(&own_cert);
  mbedtls_pk_init(&own_key);
  mbedtls_ssl_config_init(&ssl);
}

TlsConfig::~TlsConfig() {
  mbedtls_ssl_config_free(&ssl);
  mbedtls_pk_free(&own_key);
  mbedtls_x509_crt_free(&own_cert);
  mbedtls_x509_crt_free(&ca_chain);
  mbedtls_ctr_drbg_free(&drbg);
  mbedtls_entropy_free(&entropy);
}

TlsConfigCache::TlsConfigCache(std::string system_ca_file, TlsSettings settings)
    : system_ca_file_(std::move(system_ca_file)), settings_(std::move(settings)) {}

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
  // TLS 1.2 is the oldest version still considered safe; older ones only when asked for.
  const auto bad_setting = [&](const std::string& what) {
    return ScraperConfigError("TLS settings for " + url + ": " + what);
  };
  int min_minor = MBEDTLS_SSL_MINOR_VERSION_3;
  if (!settings_.min_version.empty()) {
    min_minor = minor_version(settings_.min_version);
    if (min_minor < 0)
      throw bad_setting("tls_min_version '" + settings_.min_version + "' is not 1.0, 1.1 or 1.2");
  }
  mbedtls_ssl_conf_min_version(&config->ssl, MBEDTLS_SSL_MAJOR_VERSION_3, min_minor);
  if (!settings_.max_version.empty()) {
    const int max_minor = minor_version(settings_.max_version);
    if (max_minor < 0)
      throw bad_setting("tls_max_version '" + settings_.max_version + "' is not 1.0, 1.1 or 1.2");
    if (max_minor < min_minor) throw bad_setting("tls_max_version is below tls_min_version");
    mbedtls_ssl_conf_max_version(&config->ssl, MBEDTLS_SSL_MAJOR_VERSION_3, max_minor);
  }
  if (!settings_.ciphers.empty()) {
    for (const std::string& name : settings_.ciphers) {
      const int id = mbedtls_ssl_get_ciphersuite_id(name.c_str());
      if (id == 0)
        throw bad_setting("unknown cipher suite '" + name +
                          "' (use mbedTLS names, e.g. TLS-ECDHE-RSA-WITH-AES-128-GCM-SHA256)");
      config->ciphers.push_back(id);
    }
    config->ciphers.push_back(0);
    mbedtls_ssl_conf_ciphersuites(&config->ssl, config->ciphers.data());
  }
  if (settings_.client_cert_file.empty() != settings_.client_key_file.empty())
    throw bad_setting("tls_client_cert_file and tls_client_key_file go together");
  if (!settings_.client_cert_file.empty()) {
    rc = mbedtls_x509_crt_parse_file(&config->own_cert, settings_.client_cert_file.c_str());
    if (rc != 0)
      throw bad_setting("cannot load the client certificate " + settings_.client_cert_file + ": " +
                        mbedtls_error_text(rc));
    rc = mbedtls_pk_parse_keyfile(&config->own_key, settings_.client_key_file.c_str(), nullptr);
    if (rc != 0)
      throw bad_setting("cannot load the client key " + settings_.client_key_file + ": " +
                        mbedtls_error_text(rc));
    rc = mbedtls_ssl_conf_own_cert(&config->ssl, &config->own_cert, &config->own_key);
    if (rc != 0) throw bad_setting("client certificate: " + mbedtls_error_text(rc));
  }

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
