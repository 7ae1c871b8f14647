// A connected byte stream, plain TCP or TLS: the HTTP code never branches on which.
//
// INTERFACE CONTRACT between src/net (implements) and src/http (uses). The net
// layer owns this file and may add members, but keeps these shapes.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/proxy_endpoint.hpp"

namespace uvscrape::net {

class Stream {
 public:
  virtual ~Stream() = default;

  // `on_data` receives plaintext bytes; `on_end` is called once with nullptr on
  // clean EOF or with a typed error (ConnectionError for reset, ...). After
  // on_end no more callbacks except pending write completions.
  using DataCallback = std::function<void(std::string_view bytes)>;
  using EndCallback = std::function<void(std::exception_ptr error)>;
  virtual void start_reading(DataCallback on_data, EndCallback on_end) = 0;
  virtual void stop_reading() = 0;  // backpressure; start_reading resumes

  // Writes all of `bytes` (copied or moved in); `done` gets nullptr or an error.
  using WriteCallback = std::function<void(std::exception_ptr error)>;
  virtual void write(std::string bytes, WriteCallback done) = 0;

  // Closes the socket (TLS: no close_notify wait). `on_closed` runs when the
  // libuv handle is really closed. Idempotent; safe from inside callbacks.
  virtual void close(std::function<void()> on_closed = {}) = 0;

  virtual bool is_tls() const = 0;

  // Whether the stream keeps uv_run going (libuv's ref). A pooled connection
  // idles still read, so that a close is seen at once, but must not keep the
  // embedding program's loop alive by idling.
  virtual void keep_loop_alive(bool keep) = 0;

  // Guarantees of the net layer's streams (TcpStream, TlsStream):
  // * callbacks never run from inside the call that registered them
  //   (start_reading, write): always from the loop;
  // * after close() only `on_closed` runs: no data, end or write callbacks;
  // * start_reading on a stream that already ended reports on_end with
  //   ConnectionError instead of waiting;
  // * the stream may be destroyed at any time, even inside its own callbacks
  //   (the destructor closes it; no callback runs afterwards).
};

struct ConnectTarget {
  std::string url;   // for error messages
  std::string host;  // DNS name or numeric address (IPv6 without brackets)
  uint16_t port = 0;
  bool tls = false;
  bool verify = true;   // certificate + host name verification
  std::string ca_file;  // empty: the system bundle
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds tls_timeout{10'000};
  // Set: the connection goes through this proxy. An http proxy tunnels with
  // CONNECT only for TLS targets (plain http is sent to it in absolute form,
  // which is the HTTP layer's business); SOCKS5 always tunnels. TLS (SNI,
  // verification) is always with `host`, the origin, never with the proxy.
  std::optional<ProxyEndpoint> proxy;
  std::string user_agent;  // sent with CONNECT
};

class Resolver;        // c-ares on the loop, with a TTL cache (src/net/resolver.hpp)
class TlsConfigCache;  // shared mbedTLS configs per (verify, ca_file) (src/net/tls_config.hpp)

// Resolves, connects (trying each address in turn), through a proxy opens the
// tunnel (see proxy_tunnel.hpp), and for TLS performs the handshake. `done` gets a ready Stream or
// a typed error (DnsError, ConnectionError, RequestTimeoutException{connect|tls_handshake},
// TlsHandshakeError, TlsVerificationError, ProxyError). A proxy that cannot be
// reached is a ConnectionError whose reason starts "proxy <proxy URL>: ". Returns a cancel
// function; cancelling calls `done` with CancelledError. `done` runs once, from the loop, never
// inside connect(); cancel() and Resolver::close() report CancelledError from inside themselves.
// Cancel functions stay safe to call after `done` ran. connect_timeout bounds
// resolution plus TCP connect over all addresses; tls_timeout the handshake.
using ConnectCallback = std::function<void(std::unique_ptr<Stream>, std::exception_ptr)>;
std::function<void()> connect(uv_loop_t* loop, Resolver& resolver, TlsConfigCache& tls,
                              const ConnectTarget& target, ConnectCallback done);

}  // namespace uvscrape::net
