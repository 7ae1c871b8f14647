// Opens a tunnel through a proxy on a stream already connected to it: HTTP
// CONNECT (RFC 9110 §9.3.6) or SOCKS5 (RFC 1928, user/password by RFC 1929).
// After success the stream carries the target's bytes (TLS to the origin, or
// plain HTTP over SOCKS); nothing of the proxy's answer is left unread.
//
// Errors: the proxy refusing (407, any CONNECT status but 2xx, a SOCKS5 reply
// other than "succeeded", no acceptable SOCKS5 method, bad credentials) or
// answering in another protocol -> ProxyError naming proxy and target; the
// proxy closing or resetting the connection mid-way -> ConnectionError naming
// the proxy (transient, as any lost connection).
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "net/proxy_endpoint.hpp"
#include "net/stream.hpp"

namespace uvscrape::net {

class ProxyTunnel {
 public:
  // `host` is a DNS name (sent as such: CONNECT, socks5h) or a numeric address
  // (the SOCKS5 address types for IPv4 and IPv6). `url` names errors.
  ProxyTunnel(Stream& stream, ProxyEndpoint proxy, std::string host, uint16_t port, std::string url,
              std::string user_agent);
  ~ProxyTunnel();  // no callback runs afterwards
  ProxyTunnel(const ProxyTunnel&) = delete;
  ProxyTunnel& operator=(const ProxyTunnel&) = delete;

  // `done` runs once, from the loop (the stream's callbacks), with nullptr or the error.
  void start(std::function<void(std::exception_ptr)> done);

 private:
  enum class Step { connect_reply, socks_method, socks_auth, socks_reply, done };

  void send(std::string bytes);
  void on_bytes(std::string_view bytes);
  void on_end(std::exception_ptr error);
  void advance();  // consumes what in_ holds for the current step
  void advance_connect_reply();
  void advance_socks();
  void send_socks_request();
  void succeed();
  void fail(std::exception_ptr error);
  std::exception_ptr refused(const std::string& reason, int status = 0) const;
  std::string target() const;  // "host:port", IPv6 in brackets

  Stream& stream_;
  ProxyEndpoint proxy_;
  std::string host_;
  uint16_t port_;
  std::string url_;
  std::string user_agent_;
  Step step_ = Step::done;
  std::string in_;
  std::function<void(std::exception_ptr)> done_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace uvscrape::net
