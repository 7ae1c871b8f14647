// HTTP CONNECT and SOCKS5 tunnels (see proxy_tunnel.hpp).
#include "net/proxy_tunnel.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "uvscrape/errors.hpp"

namespace uvscrape::net {
namespace {

// A CONNECT answer longer than this is not a proxy talking.
constexpr size_t kMaxConnectReplyBytes = 16 * 1024;

constexpr unsigned char kSocksVersion = 0x05;
constexpr unsigned char kSocksNoAuth = 0x00;
constexpr unsigned char kSocksUserPassword = 0x02;
constexpr unsigned char kSocksNoAcceptableMethod = 0xFF;
constexpr unsigned char kSocksConnect = 0x01;
constexpr unsigned char kSocksIpv4 = 0x01;
constexpr unsigned char kSocksDomain = 0x03;
constexpr unsigned char kSocksIpv6 = 0x04;

// RFC 1928 §6, the REP field.
std::string socks_reply_text(unsigned char code) {
  switch (code) {
    case 0x01: return "general SOCKS server failure";
    case 0x02: return "connection not allowed by ruleset";
    case 0x03: return "network unreachable";
    case 0x04: return "host unreachable";
    case 0x05: return "connection refused";
    case 0x06: return "TTL expired";
    case 0x07: return "command not supported";
    case 0x08: return "address type not supported";
  }
  return "unknown SOCKS5 reply " + std::to_string(code);
}

}  // namespace

ProxyTunnel::ProxyTunnel(Stream& stream, ProxyEndpoint proxy, std::string host, uint16_t port,
                         std::string url, std::string user_agent)
    : stream_(stream),
      proxy_(std::move(proxy)),
      host_(std::move(host)),
      port_(port),
      url_(std::move(url)),
      user_agent_(std::move(user_agent)) {}

ProxyTunnel::~ProxyTunnel() {
  if (step_ != Step::done) stream_.stop_reading();
}

std::string ProxyTunnel::target() const {
  const bool ipv6 = host_.find(':') != std::string::npos;
  return (ipv6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

std::exception_ptr ProxyTunnel::refused(const std::string& reason, int status) const {
  return std::make_exception_ptr(ProxyError(url_, proxy_.display, reason, status));
}

void ProxyTunnel::start(std::function<void(std::exception_ptr)> done) {
  done_ = std::move(done);
  std::weak_ptr<int> alive = alive_;
  stream_.start_reading(
      [this, alive](std::string_view bytes) {
        if (!alive.expired()) on_bytes(bytes);
      },
      [this, alive](std::exception_ptr error) {
        if (!alive.expired()) on_end(std::move(error));
      });
  if (proxy_.is_http()) {
    step_ = Step::connect_reply;
    std::string request = "CONNECT " + target() + " HTTP/1.1\r\nHost: " + target() + "\r\n";
    if (!user_agent_.empty()) request += "User-Agent: " + user_agent_ + "\r\n";
    if (proxy_.has_credentials())
      request += "Proxy-Authorization: " + basic_proxy_authorization(proxy_) + "\r\n";
    request += "\r\n";
    return send(std::move(request));
  }
  step_ = Step::socks_method;
  std::string greeting;
  greeting.push_back(static_cast<char>(kSocksVersion));
  if (proxy_.has_credentials()) {
    greeting.push_back(2);
    greeting.push_back(static_cast<char>(kSocksNoAuth));
    greeting.push_back(static_cast<char>(kSocksUserPassword));
  } else {
    greeting.push_back(1);
    greeting.push_back(static_cast<char>(kSocksNoAuth));
  }
  send(std::move(greeting));
}

void ProxyTunnel::send(std::string bytes) {
  std::weak_ptr<int> alive = alive_;
  stream_.write(std::move(bytes), [this, alive](std::exception_ptr error) {
    // A failed write also ends the read side; the first report wins.
    if (error && !alive.expired()) on_end(std::move(error));
  });
}

void ProxyTunnel::on_bytes(std::string_view bytes) {
  if (step_ == Step::done) return;
  in_.append(bytes.data(), bytes.size());
  advance();
}

void ProxyTunnel::on_end(std::exception_ptr error) {
  if (step_ == Step::done) return;
  std::string reason = "the proxy closed the connection before the tunnel was open";
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const ConnectionError& e) {
      reason = "connection to the proxy lost before the tunnel was open: " + e.reason();
    } catch (...) {
    }
  }
  fail(std::make_exception_ptr(ConnectionError(url_, "proxy " + proxy_.display + ": " + reason)));
}

void ProxyTunnel::advance() {
  if (step_ == Step::connect_reply) return advance_connect_reply();
  advance_socks();
}

void ProxyTunnel::advance_connect_reply() {
  const size_t end = in_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (in_.size() > kMaxConnectReplyBytes)
      fail(refused("its answer to CONNECT " + target() + " is not HTTP"));
    return;
  }
  // "HTTP/1.1 200 Connection established"
  const std::string_view line = std::string_view(in_).substr(0, in_.find("\r\n"));
  int status = 0;
  if (line.starts_with("HTTP/1.") && line.size() >= 12 && line[8] == ' ') {
    std::from_chars(line.data() + 9, line.data() + 12, status);
  }
  if (status < 100 || status > 999)
    return fail(refused("its answer to CONNECT " + target() + " is not HTTP"));
  if (status == 407) {
    return fail(refused(std::string(proxy_.has_credentials() ? "rejected the credentials"
                                                             : "requires authentication") +
                            " (407 Proxy Authentication Required) for CONNECT " + target(),
                        status));
  }
  if (status < 200 || status > 299) {
    return fail(
        refused("CONNECT " + target() + " answered " + std::string(line.substr(9)), status));
  }
  if (in_.size() > end + 4)
    return fail(refused("it sent bytes after its answer to CONNECT " + target()));
  succeed();
}

void ProxyTunnel::advance_socks() {
  const auto byte = [this](size_t i) { return static_cast<unsigned char>(in_[i]); };
  switch (step_) {
    case Step::socks_method: {
      if (in_.size() < 2) return;
      if (byte(0) != kSocksVersion) return fail(refused("it does not speak SOCKS5"));
      const unsigned char method = byte(1);
      in_.erase(0, 2);
      if (method == kSocksNoAuth) return send_socks_request();
      if (method == kSocksUserPassword && proxy_.has_credentials()) {
        if (proxy_.user.size() > 255 || proxy_.password.size() > 255)
          return fail(refused("SOCKS5 user name and password are limited to 255 bytes"));
        step_ = Step::socks_auth;
        std::string auth;
        auth.push_back(0x01);  // RFC 1929 sub-negotiation version
        auth.push_back(static_cast<char>(proxy_.user.size()));
        auth += proxy_.user;
        auth.push_back(static_cast<char>(proxy_.password.size()));
        auth += proxy_.password;
        return send(std::move(auth));
      }
      if (method == kSocksNoAcceptableMethod && !proxy_.has_credentials())
        return fail(refused("the SOCKS5 proxy requires authentication (no user name given)"));
      return fail(refused("no acceptable SOCKS5 authentication method"));
    }
    case Step::socks_auth: {
      if (in_.size() < 2) return;
      const unsigned char status = byte(1);
      in_.erase(0, 2);
      if (status != 0) return fail(refused("the SOCKS5 proxy rejected the user name or password"));
      return send_socks_request();
    }
    case Step::socks_reply: {
      if (in_.size() < 5) return;
      if (byte(0) != kSocksVersion) return fail(refused("it does not speak SOCKS5"));
      if (byte(1) != 0)
        return fail(refused("SOCKS5 CONNECT " + target() + ": " + socks_reply_text(byte(1))));
      size_t length = 0;
      switch (byte(3)) {
        case kSocksIpv4: length = 4 + 4 + 2; break;
        case kSocksIpv6: length = 4 + 16 + 2; break;
        case kSocksDomain: length = 4 + 1 + byte(4) + 2; break;
        default: return fail(refused("bad SOCKS5 reply address type"));
      }
      if (in_.size() < length) return;
      if (in_.size() > length)
        return fail(refused("it sent bytes after its SOCKS5 reply for " + target()));
      return succeed();
    }
    default: return;
  }
}

void ProxyTunnel::send_socks_request() {
  step_ = Step::socks_reply;
  std::string request;
  request.push_back(static_cast<char>(kSocksVersion));
  request.push_back(static_cast<char>(kSocksConnect));
  request.push_back(0x00);  // reserved
  unsigned char address[16];
  if (inet_pton(AF_INET, host_.c_str(), address) == 1) {
    request.push_back(static_cast<char>(kSocksIpv4));
    request.append(reinterpret_cast<const char*>(address), 4);
  } else if (inet_pton(AF_INET6, host_.c_str(), address) == 1) {
    request.push_back(static_cast<char>(kSocksIpv6));
    request.append(reinterpret_cast<const char*>(address), 16);
  } else {
    if (host_.size() > 255) return fail(refused("host name too long for SOCKS5"));
    request.push_back(static_cast<char>(kSocksDomain));
    request.push_back(static_cast<char>(host_.size()));
    request += host_;
  }
  request.push_back(static_cast<char>(port_ >> 8));
  request.push_back(static_cast<char>(port_ & 0xFF));
  send(std::move(request));
}

void ProxyTunnel::succeed() {
  step_ = Step::done;
  stream_.stop_reading();
  auto done = std::move(done_);
  done_ = nullptr;
  if (done) done(nullptr);
}

void ProxyTunnel::fail(std::exception_ptr error) {
  if (step_ == Step::done) return;
  step_ = Step::done;
  stream_.stop_reading();
  auto done = std::move(done_);
  done_ = nullptr;
  if (done) done(std::move(error));
}

}  // namespace uvscrape::net
