// TLS over a net::Stream with mbedTLS memory buffers (see tls_stream.hpp).
#include "net/tls_stream.hpp"

#include <mbedtls/error.h>
#include <mbedtls/x509.h>

#include <algorithm>
#include <cstring>

#include "uvscrape/errors.hpp"

namespace uvscrape::net {
namespace {

constexpr size_t kPlaintextBufferSize = 16 * 1024;  // one TLS record

// mbedtls_x509_crt_verify_info writes one line per problem; join them.
std::string verify_reason(uint32_t flags) {
  char info[512];
  int n = mbedtls_x509_crt_verify_info(info, sizeof info, "", flags);
  std::string text = n > 0 ? std::string(info, static_cast<size_t>(n)) : "unknown reason";
  while (!text.empty() && text.back() == '\n') text.pop_back();
  std::replace(text.begin(), text.end(), '\n', ';');
  return text;
}

}  // namespace

TlsStream::TlsStream(uv_loop_t* loop, std::unique_ptr<Stream> transport,
                     std::shared_ptr<const TlsConfig> config, const std::string& host,
                     std::string url)
    : transport_(std::move(transport)),
      config_(std::move(config)),
      url_(std::move(url)),
      deferred_(loop) {
  mbedtls_ssl_init(&ssl_);
  int rc = mbedtls_ssl_setup(&ssl_, &config_->ssl);
  if (rc == 0) rc = mbedtls_ssl_set_hostname(&ssl_, host.c_str());
  if (rc != 0) {
    mbedtls_ssl_free(&ssl_);
    throw TlsHandshakeError(url_, "cannot set up a TLS session: " + mbedtls_error_text(rc));
  }
  mbedtls_ssl_set_bio(&ssl_, this, &TlsStream::send_to_buffer, &TlsStream::receive_from_buffer,
                      nullptr);
}

TlsStream::~TlsStream() {
  if (phase_ != Phase::closed) transport_->close();
  mbedtls_ssl_free(&ssl_);
}

int TlsStream::send_to_buffer(void* self, const unsigned char* bytes, size_t length) {
  static_cast<TlsStream*>(self)->out_.append(reinterpret_cast<const char*>(bytes), length);
  return static_cast<int>(length);
}

int TlsStream::receive_from_buffer(void* context, unsigned char* bytes, size_t length) {
  auto* self = static_cast<TlsStream*>(context);
  size_t available = self->in_.size() - self->in_consumed_;
  if (available == 0) return MBEDTLS_ERR_SSL_WANT_READ;
  size_t n = std::min(length, available);
  std::memcpy(bytes, self->in_.data() + self->in_consumed_, n);
  self->in_consumed_ += n;
  if (self->in_consumed_ == self->in_.size()) {
    self->in_.clear();  // keeps its capacity for the next read
    self->in_consumed_ = 0;
  }
  return static_cast<int>(n);
}

bool TlsStream::has_buffered_input() const {
  return in_.size() > in_consumed_ || mbedtls_ssl_get_bytes_avail(&ssl_) > 0;
}

void TlsStream::read_transport() {
  if (transport_reading_ || transport_ended_) return;
  transport_reading_ = true;
  transport_->start_reading([this](std::string_view bytes) { on_ciphertext(bytes); },
                            [this](std::exception_ptr error) { on_transport_end(error); });
}

void TlsStream::flush(WriteCallback done) {
  if (out_.empty()) {
    if (done)
      deferred_.post([this, done] {
        if (phase_ != Phase::closed) done(nullptr);
      });
    return;
  }
  std::string bytes;
  bytes.swap(out_);
  if (!done) {
    // Handshake records and alerts: a failed write shows up as a read error.
    transport_->write(std::move(bytes), [](std::exception_ptr) {});
    return;
  }
  transport_->write(std::move(bytes), [done = std::move(done)](std::exception_ptr error) {
    // The transport runs no callbacks after close(), so `done` only runs while
    // this stream is open.
    done(error);
  });
}

// --- handshake ------------------------------------------------------------------

void TlsStream::handshake(std::function<void(std::exception_ptr)> done) {
  if (phase_ != Phase::created) return;
  phase_ = Phase::handshaking;
  on_handshake_ = std::move(done);
  read_transport();
  int rc = mbedtls_ssl_handshake(&ssl_);  // writes the ClientHello into out_
  flush();
  if (rc != MBEDTLS_ERR_SSL_WANT_READ && rc != MBEDTLS_ERR_SSL_WANT_WRITE) {
    auto error = handshake_error(rc);
    deferred_.post([this, error] { fail_handshake(error); });
  }
}

void TlsStream::continue_handshake() {
  int rc = mbedtls_ssl_handshake(&ssl_);
  flush();
  if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) return;
  if (rc != 0) return fail_handshake(handshake_error(rc));
  phase_ = Phase::open;
  if (!reading_) {
    // Application data waits in the kernel until the user reads.
    transport_reading_ = false;
    transport_->stop_reading();
  } else if (has_buffered_input()) {
    deferred_.post([this] { deliver_plaintext(); });
  }
  auto done = std::move(on_handshake_);
  on_handshake_ = nullptr;
  if (done) done(nullptr);
}

void TlsStream::fail_handshake(std::exception_ptr error) {
  if (phase_ != Phase::handshaking) return;
  phase_ = Phase::ended;
  transport_reading_ = false;
  transport_->stop_reading();
  auto done = std::move(on_handshake_);
  on_handshake_ = nullptr;
  if (done) done(std::move(error));
}

std::exception_ptr TlsStream::handshake_error(int code) const {
  if (code == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
    return std::make_exception_ptr(
        TlsVerificationError(url_, verify_reason(mbedtls_ssl_get_verify_result(&ssl_))));
  }
  const std::string hint = client_certificate_hint();
  return std::make_exception_ptr(TlsHandshakeError(
      url_, mbedtls_error_text(code) + (hint.empty() ? tls_settings_hint(code) : hint)));
}

std::string TlsStream::client_certificate_hint() const {
  // client_auth: the server sent a CertificateRequest (mbedTLS 2.28 keeps it public).
  if (ssl_.client_auth == 0) return {};
  if (config_->own_cert.version == 0)
    return " (the server asks for a client certificate: set DriverOptions::tls_client_cert_file "
           "and tls_client_key_file)";
  return " (the server asked for a client certificate and may not accept the one sent)";
}

// --- reading -----------------------------------------------------------------------

void TlsStream::on_ciphertext(std::string_view bytes) {
  if (in_consumed_ > 0 && in_consumed_ >= in_.size() / 2) {
    in_.erase(0, in_consumed_);
    in_consumed_ = 0;
  }
  in_.append(bytes.data(), bytes.size());
  if (phase_ == Phase::handshaking) return continue_handshake();
  if (phase_ == Phase::open) deliver_plaintext();
}

void TlsStream::on_transport_end(std::exception_ptr error) {
  transport_reading_ = false;
  transport_ended_ = true;
  transport_error_ = error;
  if (phase_ == Phase::handshaking) {
    std::string reason = "connection closed by the server during the handshake";
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const ConnectionError& e) {
        reason = "connection lost during the handshake: " + e.reason();
      } catch (...) {
      }
    }
    return fail_handshake(
        std::make_exception_ptr(TlsHandshakeError(url_, reason + client_certificate_hint())));
  }
  if (phase_ == Phase::open) deliver_plaintext();
}

void TlsStream::deliver_plaintext() {
  std::weak_ptr<int> alive = alive_;
  while (reading_ && phase_ == Phase::open) {
    if (!plaintext_) plaintext_.reset(new unsigned char[kPlaintextBufferSize]);
    int rc = mbedtls_ssl_read(&ssl_, plaintext_.get(), kPlaintextBufferSize);
    if (rc > 0) {
      // The callback may replace itself, pause, close or destroy this stream.
      auto on_data = std::move(on_data_);
      on_data_ = nullptr;
      uint64_t generation = callbacks_generation_;
      on_data(std::string_view(reinterpret_cast<const char*>(plaintext_.get()),
                               static_cast<size_t>(rc)));
      if (alive.expired()) return;
      if (generation == callbacks_generation_ && phase_ == Phase::open)
        on_data_ = std::move(on_data);
      continue;
    }
    flush();  // an alert mbedTLS may have produced
    if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) {
      // A transport EOF without close_notify is a truncation, not an end (as
      // in OpenSSL 3 and curl): whoever cut the TCP stream may have cut data.
      if (transport_ended_) {
        if (transport_error_) return finish(transport_error_);
        return finish(std::make_exception_ptr(
            ConnectionError(url_, "connection closed without TLS close_notify (truncated)")));
      }
      return read_transport();
    }
    if (rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || rc == 0) return finish(nullptr);
    return finish(
        std::make_exception_ptr(ConnectionError(url_, "TLS error: " + mbedtls_error_text(rc))));
  }
}

void TlsStream::finish(std::exception_ptr error) {
  phase_ = Phase::ended;
  reading_ = false;
  transport_reading_ = false;
  transport_->stop_reading();
  auto on_end = std::move(on_end_);
  on_end_ = nullptr;
  on_data_ = nullptr;
  if (on_end) on_end(std::move(error));
}

void TlsStream::start_reading(DataCallback on_data, EndCallback on_end) {
  if (phase_ == Phase::closed) return;
  if (phase_ == Phase::ended) {
    // Reading a stream that already ended fails rather than waiting forever.
    deferred_.post([this, on_end = std::move(on_end)] {
      if (phase_ != Phase::closed && on_end)
        on_end(std::make_exception_ptr(ConnectionError(url_, "connection already ended")));
    });
    return;
  }
  on_data_ = std::move(on_data);
  on_end_ = std::move(on_end);
  ++callbacks_generation_;
  if (reading_) return;
  reading_ = true;
  if (phase_ != Phase::open) return;  // the handshake finishes first
  if (has_buffered_input() || transport_ended_) {
    // Plaintext already here is delivered from the loop, not from inside this call.
    deferred_.post([this] { deliver_plaintext(); });
  }
  read_transport();
}

void TlsStream::keep_loop_alive(bool keep) {
  if (transport_) transport_->keep_loop_alive(keep);
}

void TlsStream::stop_reading() {
  if (!reading_) return;
  reading_ = false;
  if (phase_ == Phase::open && transport_reading_) {
    transport_reading_ = false;
    transport_->stop_reading();
  }
}

// --- writing and closing --------------------------------------------------------------

void TlsStream::write(std::string bytes, WriteCallback done) {
  if (phase_ == Phase::closed) return;
  if (phase_ != Phase::open) {
    if (done) {
      auto error = std::make_exception_ptr(ConnectionError(url_, "TLS stream is not open"));
      deferred_.post([this, done, error] {
        if (phase_ != Phase::closed) done(error);
      });
    }
    return;
  }
  size_t written = 0;
  while (written < bytes.size()) {
    int rc =
        mbedtls_ssl_write(&ssl_, reinterpret_cast<const unsigned char*>(bytes.data()) + written,
                          bytes.size() - written);
    if (rc < 0) {
      flush();
      auto error = std::make_exception_ptr(
          ConnectionError(url_, "TLS write failed: " + mbedtls_error_text(rc)));
      if (done)
        deferred_.post([this, done, error] {
          if (phase_ != Phase::closed) done(error);
        });
      return;
    }
    written += static_cast<size_t>(rc);
  }
  flush(std::move(done));
}

void TlsStream::close(std::function<void()> on_closed) {
  if (phase_ == Phase::closed) return;
  phase_ = Phase::closed;
  reading_ = false;
  on_data_ = nullptr;
  on_end_ = nullptr;
  on_handshake_ = nullptr;
  transport_->close(std::move(on_closed));
}

}  // namespace uvscrape::net
