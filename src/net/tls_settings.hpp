// TLS settings for legacy servers and mutual TLS, per client (so per run):
// protocol versions, cipher suites, a client certificate. Defaults are the
// safe ones; each setting is a relaxation or an addition the user asks for.
#pragma once

#include <string>
#include <vector>

namespace uvscrape::net {

struct TlsSettings {
  // "1.0", "1.1" or "1.2". Empty min: 1.2 (the oldest version still
  // considered safe); empty max: the newest mbedTLS 2.28 speaks (1.2).
  std::string min_version;
  std::string max_version;
  // mbedTLS cipher suite names in order of preference, e.g.
  // "TLS-ECDHE-RSA-WITH-AES-128-CBC-SHA". Empty: mbedTLS's default list.
  std::vector<std::string> ciphers;
  // PEM files of a client certificate (chain) and its private key, for servers
  // that ask for one (mutual TLS). Both or neither.
  std::string client_cert_file;
  std::string client_key_file;

  bool operator==(const TlsSettings&) const = default;
};

}  // namespace uvscrape::net
