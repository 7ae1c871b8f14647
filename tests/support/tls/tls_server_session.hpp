// Server-side TLS for in-process test servers: an mbedTLS engine on memory
// buffers, so any transport (a libuv connection, a blocking socket) can wrap it.
//
//   #include "tls/tls_server_session.hpp"
//   using namespace uvscrape::testing;
//   auto config = std::make_shared<TlsServerConfig>(test_certificates().valid);
//   // per accepted connection:
//   TlsServerSession tls(config);
//   on bytes read from the client:  tls.feed(bytes);
//                                   std::string request = tls.take_plaintext();
//   to answer:                      tls.write(response);      // queued until the handshake is done
//   after every feed()/write():     send(tls.take_ciphertext()) if non-empty;
//                                   if (tls.failed()) close the connection;
//   to end politely:                tls.close_notify(); send(tls.take_ciphertext());
//
// The handshake is driven by feed(): nothing else to call. One TlsServerConfig
// per server; the config and its sessions must be used from one thread at a
// time (mbedTLS's random generator is shared by the sessions).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tls/test_certificates.hpp"

struct mbedtls_ssl_context;  // <mbedtls/ssl.h>

namespace uvscrape::testing {

// What a legacy or strict server insists on (defaults: mbedTLS's).
struct TlsServerOptions {
  int min_minor = 0;  // 0: default; 1 TLS 1.0, 2 TLS 1.1, 3 TLS 1.2 (MBEDTLS_SSL_MINOR_VERSION_n)
  int max_minor = 0;
  std::vector<std::string> ciphers;  // mbedTLS names; empty: the default list
  std::string client_ca_file;        // set: a client certificate signed by this CA is required
};

class TlsServerConfig {
 public:
  // Serves `certificate` (its cert_pem and key_pem). Throws std::runtime_error.
  explicit TlsServerConfig(const PemCertificate& certificate, const TlsServerOptions& options = {});
  ~TlsServerConfig();
  TlsServerConfig(const TlsServerConfig&) = delete;
  TlsServerConfig& operator=(const TlsServerConfig&) = delete;

  struct State;  // mbedTLS contexts

 private:
  friend class TlsServerSession;
  std::unique_ptr<State> state_;
};

class TlsServerSession {
 public:
  explicit TlsServerSession(std::shared_ptr<TlsServerConfig> config);
  ~TlsServerSession();
  TlsServerSession(const TlsServerSession&) = delete;
  TlsServerSession& operator=(const TlsServerSession&) = delete;

  // Ciphertext received from the client: advances the handshake, decrypts.
  void feed(std::string_view ciphertext);
  // Application bytes decrypted so far (and not taken yet).
  std::string take_plaintext();
  // Encrypts `plaintext` for the client (queued until the handshake is done).
  void write(std::string_view plaintext);
  // Queues a close_notify alert.
  void close_notify();
  // Ciphertext to send to the client now (handshake records, data, alerts).
  std::string take_ciphertext();

  bool handshake_done() const;
  bool failed() const;                     // a fatal TLS error: close the connection
  const std::string& error() const;        // mbedTLS's text for it
  bool peer_closed() const;                // the client sent close_notify
  const std::string& server_name() const;  // SNI the client sent ("" if none)

 private:
  friend class TlsServerConfig;
  static int record_server_name(void*, ::mbedtls_ssl_context* ssl, const unsigned char* name,
                                size_t length);
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace uvscrape::testing
