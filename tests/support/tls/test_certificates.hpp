// Certificates for TLS tests, generated at test time with mbedTLS (x509write).
//
//   #include "tls/test_certificates.hpp"
//   const auto& certs = uvscrape::testing::test_certificates();
//   certs.valid.cert_pem / key_pem          // in memory (PEM text)
//   certs.valid.cert_file / key_file        // the same on disk, e.g. for nginx
//   certs.ca.cert_file                      // the CA to trust (ConnectTarget::ca_file)
//
// All keys are EC P-256 (generation takes milliseconds). The set is built once
// per process, on first use, into a fresh temporary directory (`dir`, under
// $TMPDIR or /tmp) that is removed when the process exits.
//
//   ca           "uvscrape test CA", self-signed, CA:TRUE; trust anchor
//   valid        CN=localhost; SAN DNS:localhost, DNS:127.0.0.1, IP:127.0.0.1;
//                signed by ca, valid 2020-2099
//   wrong_host   CN=wrong.example; SAN DNS:wrong.example; signed by ca
//   expired      names as `valid`, signed by ca, valid only during 2020
//   self_signed  names as `valid`, self-signed (not trusted by ca)
//
// Host names: mbedTLS 2.28 matches a numeric host against DNS entries only,
// hence DNS:127.0.0.1 beside IP:127.0.0.1 (which OpenSSL-based clients use).
#pragma once

#include <string>

namespace uvscrape::testing {

struct PemCertificate {
  std::string cert_pem;   // "-----BEGIN CERTIFICATE-----..."
  std::string key_pem;    // "-----BEGIN EC PRIVATE KEY-----..."
  std::string cert_file;  // absolute path of cert_pem on disk
  std::string key_file;   // absolute path of key_pem on disk
};

struct TestCertificates {
  std::string dir;
  PemCertificate ca;
  PemCertificate valid;
  PemCertificate wrong_host;
  PemCertificate expired;
  PemCertificate self_signed;
};

// Thread-safe; throws std::runtime_error if generation fails.
const TestCertificates& test_certificates();

}  // namespace uvscrape::testing
