// TLS mode of ServerConnection: the TlsServerSession (tests/support/tls) is a
// memory engine, so the connection feeds it what the socket read and writes
// what it produces. Fault modes work unchanged on the plaintext side; a reset
// or a cut still acts on the TCP socket underneath.
#include <string>

#include "server_connection.hpp"
#include "tls/tls_server_session.hpp"

namespace uvscrape::testing {
namespace {

// A ciphertext write owns its bytes until libuv is done with them.
struct TlsWrite {
  uv_write_t req{};
  std::string bytes;
  ServerConnection* connection = nullptr;
  bool continue_plan = false;
};

}  // namespace

void ServerConnection::on_ciphertext(const char* data, size_t size) {
  tls_->feed(std::string_view(data, size));
  send_ciphertext(false);  // handshake records, alerts
  if (state_ == State::closing) return;
  if (tls_->failed()) return close_now();
  const std::string plaintext = tls_->take_plaintext();
  if (!plaintext.empty()) parse(plaintext.data(), plaintext.size());
  if (state_ != State::closing && tls_->peer_closed()) on_peer_eof();
}

void ServerConnection::tls_write(const uv_buf_t* bufs, size_t count) {
  std::string plaintext;
  for (size_t i = 0; i < count; ++i) plaintext.append(bufs[i].base, bufs[i].len);
  tls_->write(plaintext);
  // Nothing to send yet (handshake unfinished): the bytes wait in the session,
  // and the plan goes on as if they were written.
  if (!send_ciphertext(true) && state_ != State::closing) after_write_(this);
}

// Returns whether a write was started.
bool ServerConnection::send_ciphertext(bool continue_plan) {
  std::string bytes = tls_->take_ciphertext();
  if (bytes.empty()) return false;
  auto* op = new TlsWrite;
  op->bytes = std::move(bytes);
  op->connection = this;
  op->continue_plan = continue_plan;
  op->req.data = op;
  uv_buf_t buf = uv_buf_init(op->bytes.data(), static_cast<unsigned>(op->bytes.size()));
  if (uv_write(&op->req, reinterpret_cast<uv_stream_t*>(&tcp_), &buf, 1,
               &ServerConnection::on_tls_write) != 0) {
    delete op;
    close_now();
  }
  return true;
}

// libuv runs write callbacks (with UV_ECANCELED after uv_close) before the close
// callback that frees the connection, so `connection` is valid here.
void ServerConnection::on_tls_write(uv_write_t* req, int status) {
  auto* op = static_cast<TlsWrite*>(req->data);
  ServerConnection* c = op->connection;
  const bool continue_plan = op->continue_plan;
  delete op;
  if (c->state_ == State::closing) return;
  if (status != 0) return c->close_now();
  if (continue_plan) c->after_write_(c);
}

}  // namespace uvscrape::testing
