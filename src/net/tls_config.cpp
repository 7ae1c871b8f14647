// Client mbedTLS configurations (see tls_config.hpp).
#include "net/tls_config.hpp"

#include "uvscrape/errors.hpp"

namespace uvscrape::net {

struct TlsConfig {};

TlsConfigCache::TlsConfigCache(std::string system_ca_file)
    : system_ca_file_(std::move(system_ca_file)) {}

TlsConfigCache::~TlsConfigCache() = default;

std::shared_ptr<const TlsConfig> TlsConfigCache::get(bool, const std::string&,
                                                     const std::string& url) {
  throw TlsHandshakeError(url, "TLS is not available yet");
}

}  // namespace uvscrape::net
