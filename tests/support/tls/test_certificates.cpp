// Test certificate generation with mbedTLS 2.28's x509write API.
#include "tls/test_certificates.hpp"

#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace uvscrape::testing {
namespace {

void check(int rc, const char* what) {
  if (rc >= 0) return;
  char text[160];
  mbedtls_strerror(rc, text, sizeof text);
  throw std::runtime_error(std::string("test certificates: ") + what + ": " + text);
}

size_t check_len(int rc) {
  check(rc, "encoding subjectAltName");
  return static_cast<size_t>(rc);
}

class Random {
 public:
  Random() {
    mbedtls_entropy_init(&entropy_);
    mbedtls_ctr_drbg_init(&drbg_);
    static const char label[] = "uvscrape test certificates";
    check(mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_,
                                reinterpret_cast<const unsigned char*>(label), sizeof label - 1),
          "seeding");
  }
  ~Random() {
    mbedtls_ctr_drbg_free(&drbg_);
    mbedtls_entropy_free(&entropy_);
  }
  mbedtls_ctr_drbg_context* drbg() { return &drbg_; }

 private:
  mbedtls_entropy_context entropy_;
  mbedtls_ctr_drbg_context drbg_;
};

class EcKey {
 public:
  explicit EcKey(Random& random) {
    mbedtls_pk_init(&pk_);
    check(mbedtls_pk_setup(&pk_, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), "pk setup");
    check(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk_), mbedtls_ctr_drbg_random,
                              random.drbg()),
          "EC key generation");
  }
  ~EcKey() { mbedtls_pk_free(&pk_); }
  mbedtls_pk_context* get() { return &pk_; }
  std::string pem() {
    unsigned char buf[1024] = {};
    check(mbedtls_pk_write_key_pem(&pk_, buf, sizeof buf), "writing key");
    return reinterpret_cast<const char*>(buf);
  }

 private:
  mbedtls_pk_context pk_;
};

// subjectAltName: DNS names and IPv4 addresses, DER built back to front.
std::vector<unsigned char> subject_alt_name(const std::vector<std::string>& dns,
                                            const std::vector<std::array<unsigned char, 4>>& ips) {
  unsigned char buf[512];
  unsigned char* p = buf + sizeof buf;
  size_t total = 0;
  for (auto it = ips.rbegin(); it != ips.rend(); ++it) {
    size_t len = 0;
    len += check_len(mbedtls_asn1_write_raw_buffer(&p, buf, it->data(), it->size()));
    len += check_len(mbedtls_asn1_write_len(&p, buf, len));
    len += check_len(mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7));
    total += len;
  }
  for (auto it = dns.rbegin(); it != dns.rend(); ++it) {
    size_t len = 0;
    len += check_len(mbedtls_asn1_write_raw_buffer(
        &p, buf, reinterpret_cast<const unsigned char*>(it->data()), it->size()));
    len += check_len(mbedtls_asn1_write_len(&p, buf, len));
    len += check_len(mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2));
    total += len;
  }
  total += check_len(mbedtls_asn1_write_len(&p, buf, total));
  total +=
      check_len(mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
  return std::vector<unsigned char>(p, p + total);
}

struct CertSpec {
  std::string subject{};
  std::vector<std::string> dns{};
  std::vector<std::array<unsigned char, 4>> ips{};
  const char* not_before = "20200101000000";
  const char* not_after = "20991231235959";
  bool is_ca = false;
  int serial = 1;
};

// Signs `spec` for `subject_key` with `issuer_key` under `issuer_name`
// (self-signed when they are the subject's own).
std::string make_certificate(Random& random, const CertSpec& spec, EcKey& subject_key,
                             EcKey& issuer_key, const std::string& issuer_name) {
  mbedtls_x509write_cert crt;
  mbedtls_x509write_crt_init(&crt);
  std::unique_ptr<mbedtls_x509write_cert, void (*)(mbedtls_x509write_cert*)> guard(
      &crt, mbedtls_x509write_crt_free);
  mbedtls_mpi serial;
  mbedtls_mpi_init(&serial);
  std::unique_ptr<mbedtls_mpi, void (*)(mbedtls_mpi*)> serial_guard(&serial, mbedtls_mpi_free);
  check(mbedtls_mpi_lset(&serial, spec.serial), "serial");

  mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
  mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
  mbedtls_x509write_crt_set_subject_key(&crt, subject_key.get());
  mbedtls_x509write_crt_set_issuer_key(&crt, issuer_key.get());
  check(mbedtls_x509write_crt_set_subject_name(&crt, spec.subject.c_str()), "subject");
  check(mbedtls_x509write_crt_set_issuer_name(&crt, issuer_name.c_str()), "issuer");
  check(mbedtls_x509write_crt_set_serial(&crt, &serial), "serial");
  check(mbedtls_x509write_crt_set_validity(&crt, spec.not_before, spec.not_after), "validity");
  check(mbedtls_x509write_crt_set_basic_constraints(&crt, spec.is_ca ? 1 : 0, -1),
        "basic constraints");
  check(mbedtls_x509write_crt_set_subject_key_identifier(&crt), "subject key id");
  check(mbedtls_x509write_crt_set_authority_key_identifier(&crt), "authority key id");
  check(mbedtls_x509write_crt_set_key_usage(
            &crt, spec.is_ca ? (MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN)
                             : (MBEDTLS_X509_KU_DIGITAL_SIGNATURE | MBEDTLS_X509_KU_KEY_AGREEMENT)),
        "key usage");
  if (!spec.dns.empty() || !spec.ips.empty()) {
    auto san = subject_alt_name(spec.dns, spec.ips);
    check(mbedtls_x509write_crt_set_extension(&crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
                                              MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0,
                                              san.data(), san.size()),
          "subjectAltName");
  }
  std::vector<unsigned char> pem(4096);
  check(mbedtls_x509write_crt_pem(&crt, pem.data(), pem.size(), mbedtls_ctr_drbg_random,
                                  random.drbg()),
        "writing certificate");
  return reinterpret_cast<const char*>(pem.data());
}

std::string write_file(const std::string& dir, const std::string& name, const std::string& text) {
  std::string path = dir + "/" + name;
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("test certificates: cannot write " + path);
  return path;
}

// Removes the temporary directory at process exit.
struct DirectoryRemover {
  std::string dir;
  ~DirectoryRemover() {
    std::error_code ignored;
    if (!dir.empty()) std::filesystem::remove_all(dir, ignored);
  }
};

TestCertificates generate() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/uvscrape-certs-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) throw std::runtime_error("test certificates: mkdtemp failed");

  TestCertificates certs;
  certs.dir = buf.data();
  static DirectoryRemover remover;
  remover.dir = certs.dir;

  Random random;
  EcKey ca_key(random), server_key(random), self_key(random);
  const std::string ca_name = "CN=uvscrape test CA,O=uvscrape tests";
  const std::array<unsigned char, 4> loopback{127, 0, 0, 1};

  auto store = [&](PemCertificate& out, const std::string& name, std::string cert_pem,
                   std::string key_pem) {
    out.cert_pem = std::move(cert_pem);
    out.key_pem = std::move(key_pem);
    out.cert_file = write_file(certs.dir, name + ".crt", out.cert_pem);
    out.key_file = write_file(certs.dir, name + ".key", out.key_pem);
  };

  CertSpec ca{.subject = ca_name, .is_ca = true, .serial = 1};
  store(certs.ca, "ca", make_certificate(random, ca, ca_key, ca_key, ca_name), ca_key.pem());

  const std::string localhost_name = "CN=localhost,O=uvscrape tests";
  CertSpec valid{
      .subject = localhost_name, .dns = {"localhost", "127.0.0.1"}, .ips = {loopback}, .serial = 2};
  store(certs.valid, "valid", make_certificate(random, valid, server_key, ca_key, ca_name),
        server_key.pem());

  CertSpec wrong{
      .subject = "CN=wrong.example,O=uvscrape tests", .dns = {"wrong.example"}, .serial = 3};
  store(certs.wrong_host, "wrong_host",
        make_certificate(random, wrong, server_key, ca_key, ca_name), server_key.pem());

  CertSpec expired = valid;
  expired.not_before = "20200101000000";
  expired.not_after = "20201231235959";
  expired.serial = 4;
  store(certs.expired, "expired", make_certificate(random, expired, server_key, ca_key, ca_name),
        server_key.pem());

  CertSpec self = valid;
  self.serial = 5;
  store(certs.self_signed, "self_signed",
        make_certificate(random, self, self_key, self_key, localhost_name), self_key.pem());
  return certs;
}

}  // namespace

const TestCertificates& test_certificates() {
  static std::once_flag once;
  static TestCertificates certs;
  std::call_once(once, [] { certs = generate(); });
  return certs;
}

}  // namespace uvscrape::testing
