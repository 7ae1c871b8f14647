// Server-side TLS engine on memory buffers for test servers.
#include "tls/tls_server_session.hpp"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace uvscrape::testing {
namespace {

std::string error_text(int rc) {
  char text[160];
  mbedtls_strerror(rc, text, sizeof text);
  return text;
}

void check(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(std::string("TLS server: ") + what + ": " + error_text(rc));
}

}  // namespace

struct TlsServerConfig::State {
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_x509_crt certificate;
  mbedtls_pk_context key;
  mbedtls_x509_crt client_ca;
  std::vector<int> ciphers;  // zero-terminated; the config points into it
  mbedtls_ssl_config ssl;

  State() {
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_x509_crt_init(&certificate);
    mbedtls_pk_init(&key);
    mbedtls_x509_crt_init(&client_ca);
    mbedtls_ssl_config_init(&ssl);
  }
  ~State() {
    mbedtls_ssl_config_free(&ssl);
    mbedtls_x509_crt_free(&client_ca);
    mbedtls_pk_free(&key);
    mbedtls_x509_crt_free(&certificate);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
  }
};

TlsServerConfig::TlsServerConfig(const PemCertificate& cert, const TlsServerOptions& options)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  static const char label[] = "uvscrape test tls server";
  check(mbedtls_ctr_drbg_seed(&s.drbg, mbedtls_entropy_func, &s.entropy,
                              reinterpret_cast<const unsigned char*>(label), sizeof label - 1),
        "seeding");
  // PEM parsing wants the terminating NUL counted in the length.
  check(mbedtls_x509_crt_parse(&s.certificate,
                               reinterpret_cast<const unsigned char*>(cert.cert_pem.c_str()),
                               cert.cert_pem.size() + 1),
        "parsing certificate");
  check(mbedtls_pk_parse_key(&s.key, reinterpret_cast<const unsigned char*>(cert.key_pem.c_str()),
                             cert.key_pem.size() + 1, nullptr, 0),
        "parsing key");
  check(mbedtls_ssl_config_defaults(&s.ssl, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT),
        "config defaults");
  mbedtls_ssl_conf_rng(&s.ssl, mbedtls_ctr_drbg_random, &s.drbg);
  check(mbedtls_ssl_conf_own_cert(&s.ssl, &s.certificate, &s.key), "own certificate");
  mbedtls_ssl_conf_sni(&s.ssl, &TlsServerSession::record_server_name, nullptr);
  if (options.min_minor != 0)
    mbedtls_ssl_conf_min_version(&s.ssl, MBEDTLS_SSL_MAJOR_VERSION_3, options.min_minor);
  if (options.max_minor != 0)
    mbedtls_ssl_conf_max_version(&s.ssl, MBEDTLS_SSL_MAJOR_VERSION_3, options.max_minor);
  if (!options.ciphers.empty()) {
    for (const auto& name : options.ciphers) {
      const int id = mbedtls_ssl_get_ciphersuite_id(name.c_str());
      if (id == 0) throw std::runtime_error("TlsServerConfig: unknown cipher suite " + name);
      s.ciphers.push_back(id);
    }
    s.ciphers.push_back(0);
    mbedtls_ssl_conf_ciphersuites(&s.ssl, s.ciphers.data());
  }
  if (!options.client_ca_file.empty()) {
    check(mbedtls_x509_crt_parse_file(&s.client_ca, options.client_ca_file.c_str()),
          "parsing the client CA");
    mbedtls_ssl_conf_ca_chain(&s.ssl, &s.client_ca, nullptr);
    mbedtls_ssl_conf_authmode(&s.ssl, MBEDTLS_SSL_VERIFY_REQUIRED);
  }
}

TlsServerConfig::~TlsServerConfig() = default;

struct TlsServerSession::State {
  std::shared_ptr<TlsServerConfig> config;
  mbedtls_ssl_context ssl;
  std::string in;  // ciphertext not yet consumed by mbedTLS
  size_t in_consumed = 0;
  std::string out;        // ciphertext for the client
  std::string plaintext;  // decrypted, not yet taken
  std::string pending;    // plaintext written before the handshake finished
  bool handshake_done = false;
  bool failed = false;
  bool peer_closed = false;
  std::string error;
  std::string server_name;

  static int send(void* ctx, const unsigned char* bytes, size_t length) {
    static_cast<State*>(ctx)->out.append(reinterpret_cast<const char*>(bytes), length);
    return static_cast<int>(length);
  }
  static int receive(void* ctx, unsigned char* bytes, size_t length) {
    auto* s = static_cast<State*>(ctx);
    size_t available = s->in.size() - s->in_consumed;
    if (available == 0) return MBEDTLS_ERR_SSL_WANT_READ;
    size_t n = std::min(length, available);
    std::memcpy(bytes, s->in.data() + s->in_consumed, n);
    s->in_consumed += n;
    return static_cast<int>(n);
  }

  void fail(int rc) {
    failed = true;
    error = error_text(rc);
  }

  void encrypt(std::string_view bytes) {
    while (!bytes.empty() && !failed) {
      int rc = mbedtls_ssl_write(&ssl, reinterpret_cast<const unsigned char*>(bytes.data()),
                                 bytes.size());
      if (rc < 0) return fail(rc);
      bytes.remove_prefix(static_cast<size_t>(rc));
    }
  }

  void advance() {
    if (failed) return;
    if (!handshake_done) {
      int rc = mbedtls_ssl_handshake(&ssl);
      if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) return;
      if (rc != 0) return fail(rc);
      handshake_done = true;
      if (!pending.empty()) encrypt(std::exchange(pending, {}));
    }
    unsigned char buf[16384];
    while (!failed && !peer_closed) {
      int rc = mbedtls_ssl_read(&ssl, buf, sizeof buf);
      if (rc > 0) {
        plaintext.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(rc));
        continue;
      }
      if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) break;
      if (rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || rc == 0) {
        peer_closed = true;
        break;
      }
      fail(rc);
    }
  }
};

TlsServerSession::TlsServerSession(std::shared_ptr<TlsServerConfig> config)
    : state_(std::make_unique<State>()) {
  state_->config = std::move(config);
  mbedtls_ssl_init(&state_->ssl);
  check(mbedtls_ssl_setup(&state_->ssl, &state_->config->state_->ssl), "session setup");
  mbedtls_ssl_set_bio(&state_->ssl, state_.get(), &State::send, &State::receive, nullptr);
}

TlsServerSession::~TlsServerSession() {
  mbedtls_ssl_free(&state_->ssl);
}

void TlsServerSession::feed(std::string_view ciphertext) {
  State& s = *state_;
  if (s.in_consumed == s.in.size()) {
    s.in.clear();
    s.in_consumed = 0;
  }
  s.in.append(ciphertext.data(), ciphertext.size());
  s.advance();
}

std::string TlsServerSession::take_plaintext() {
  return std::exchange(state_->plaintext, {});
}

void TlsServerSession::write(std::string_view plaintext) {
  if (!state_->handshake_done) {
    state_->pending.append(plaintext.data(), plaintext.size());
    return;
  }
  state_->encrypt(plaintext);
}

void TlsServerSession::close_notify() {
  if (state_->handshake_done && !state_->failed) mbedtls_ssl_close_notify(&state_->ssl);
}

std::string TlsServerSession::take_ciphertext() {
  return std::exchange(state_->out, {});
}

bool TlsServerSession::handshake_done() const {
  return state_->handshake_done;
}
bool TlsServerSession::failed() const {
  return state_->failed;
}
const std::string& TlsServerSession::error() const {
  return state_->error;
}
bool TlsServerSession::peer_closed() const {
  return state_->peer_closed;
}

const std::string& TlsServerSession::server_name() const {
  return state_->server_name;
}

// mbedTLS 2.28 has no per-session user data; the BIO context is our State.
int TlsServerSession::record_server_name(void*, mbedtls_ssl_context* ssl, const unsigned char* name,
                                         size_t length) {
  auto* state = static_cast<State*>(ssl->p_bio);
  state->server_name.assign(reinterpret_cast<const char*>(name), length);
  return 0;  // serve the configured certificate whatever the name
}

}  // namespace uvscrape::testing
