// TLS (mbedTLS) over another net::Stream, itself behind net::Stream.
//
// mbedTLS talks to memory buffers (mbedtls_ssl_set_bio): ciphertext read from
// the transport is appended to `in_` and consumed by mbedTLS; ciphertext that
// mbedTLS produces collects in `out_` and is written to the transport after
// each operation. So mbedTLS never blocks and never touches a socket.
//
// Errors: a rejected certificate -> TlsVerificationError (reason from
// mbedtls_x509_crt_verify_info); any other handshake failure, including the
// peer closing or resetting the connection mid-handshake, -> TlsHandshakeError
// (transient, like the connection error it is). After the handshake only a
// close_notify is a clean end; the transport's EOF without one (a truncation)
// and a TLS error are a ConnectionError.
#pragma once

#include <mbedtls/ssl.h>
#include <uv.h>

#include <memory>
#include <string>

#include "net/stream.hpp"
#include "net/tls_config.hpp"
#include "net/uv_util.hpp"

namespace uvscrape::net {

class TlsStream final : public Stream {
 public:
  // `host` is sent as SNI and, with verification on, checked against the
  // certificate. Throws TlsHandshakeError if mbedTLS cannot set up a session.
  TlsStream(uv_loop_t* loop, std::unique_ptr<Stream> transport,
            std::shared_ptr<const TlsConfig> config, const std::string& host, std::string url);
  ~TlsStream() override;
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // Performs the handshake; `done` runs once, never before handshake() has
  // returned, with nullptr or the error. Start reading/writing after success.
  void handshake(std::function<void(std::exception_ptr)> done);

  void start_reading(DataCallback on_data, EndCallback on_end) override;
  void stop_reading() override;
  void keep_loop_alive(bool keep) override;
  void write(std::string bytes, WriteCallback done) override;
  // Closes the transport without waiting for close_notify. After close() only
  // `on_closed` runs.
  void close(std::function<void()> on_closed = {}) override;
  bool is_tls() const override { return true; }

 private:
  enum class Phase { created, handshaking, open, ended, closed };

  static int send_to_buffer(void* self, const unsigned char* bytes, size_t length);
  static int receive_from_buffer(void* self, unsigned char* bytes, size_t length);

  void read_transport();
  void on_ciphertext(std::string_view bytes);
  void on_transport_end(std::exception_ptr error);
  void continue_handshake();
  void fail_handshake(std::exception_ptr error);
  std::exception_ptr handshake_error(int code) const;
  std::string client_certificate_hint() const;  // "" unless the server asked for one
  void deliver_plaintext();
  void finish(std::exception_ptr error);
  void flush(WriteCallback done = {});
  bool has_buffered_input() const;

  std::unique_ptr<Stream> transport_;
  std::shared_ptr<const TlsConfig> config_;
  std::string url_;
  mbedtls_ssl_context ssl_;
  Phase phase_ = Phase::created;

  std::string in_;  // ciphertext from the transport; mbedTLS has consumed in_[0, in_consumed_)
  size_t in_consumed_ = 0;
  std::string out_;                             // ciphertext for the transport
  std::unique_ptr<unsigned char[]> plaintext_;  // one read buffer, reused

  std::function<void(std::exception_ptr)> on_handshake_;
  DataCallback on_data_;
  EndCallback on_end_;
  uint64_t callbacks_generation_ = 0;
  bool reading_ = false;  // the user wants plaintext (not paused)
  bool transport_reading_ = false;
  bool transport_ended_ = false;
  std::exception_ptr transport_error_;
  Deferred deferred_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // expires with the stream
};

}  // namespace uvscrape::net
