// The states of one transfer (a request with its redirects) and of one
// connection, and the transitions between them: the map of the client's state
// machine, kept in one place (the habit of curl's multi.c).
#pragma once

#include <cstdint>

namespace uvscrape::http {

enum class TransferState : uint8_t {
  pending,     // accepted by fetch(); starts on the next loop turn
  queued,      // waiting for a connection slot (per-origin or total cap)
  connecting,  // resolve + TCP connect (+ TLS handshake) on a fresh connection
  awaiting,    // request written (or being written), no response byte yet
  receiving,   // response bytes arriving
  paused,      // the body sink asked to pause; reading is stopped
  vetting,     // a redirect waits for HttpRequest::redirect_check's answer; no connection
  finished,    // `done` has been called
};

enum class ConnectionState : uint8_t {
  connecting,  // net::connect in progress
  busy,        // carrying one transfer
  idle,        // in the pool, not reading, waiting for reuse
  closing,     // stream closing; freed in its close callback
};

const char* to_string(TransferState state) noexcept;
const char* to_string(ConnectionState state) noexcept;

// Legal moves; the client asserts every transition against these.
//   pending    -> queued | connecting | awaiting | finished
//   queued     -> connecting | awaiting | finished
//   connecting -> awaiting | finished
//   awaiting   -> receiving | connecting (retry on a fresh connection) | finished
//   receiving  -> paused | queued | connecting | awaiting (next redirect hop) | vetting | finished
//   vetting    -> queued | connecting | awaiting | finished
//   paused     -> receiving | finished
constexpr bool is_allowed(TransferState from, TransferState to) noexcept {
  using S = TransferState;
  switch (from) {
    case S::pending:
      return to == S::queued || to == S::connecting || to == S::awaiting || to == S::finished;
    case S::queued: return to == S::connecting || to == S::awaiting || to == S::finished;
    case S::connecting: return to == S::awaiting || to == S::finished;
    case S::awaiting: return to == S::receiving || to == S::connecting || to == S::finished;
    case S::receiving:
      return to == S::paused || to == S::queued || to == S::connecting || to == S::awaiting ||
             to == S::vetting || to == S::finished;
    case S::vetting:
      return to == S::queued || to == S::connecting || to == S::awaiting || to == S::finished;
    case S::paused: return to == S::receiving || to == S::finished;
    case S::finished: return false;
  }
  return false;
}

//   connecting -> busy | closing;  busy -> idle | busy (handed over) | closing;
//   idle -> busy | closing
constexpr bool is_allowed(ConnectionState from, ConnectionState to) noexcept {
  using C = ConnectionState;
  switch (from) {
    case C::connecting: return to == C::busy || to == C::closing;
    case C::busy: return to == C::idle || to == C::busy || to == C::closing;
    case C::idle: return to == C::busy || to == C::closing;
    case C::closing: return false;
  }
  return false;
}

}  // namespace uvscrape::http
