// A 127.0.0.1 port where TCP connects hang: a listener with a full accept
// queue (backlog 0, one connection parked, never accepted) drops further SYNs,
// so a connect neither succeeds nor fails until its own timeout ends it (a
// "blackholed" address without leaving loopback). For the connect-timeout
// tests of net, the HTTP client and the Redis store.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

namespace uvscrape::testing {

class BlackholePort {
 public:
  BlackholePort() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener_, 0);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    parked_ = ::socket(AF_INET, SOCK_STREAM, 0);
    ::connect(parked_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // fills the queue
  }
  BlackholePort(const BlackholePort&) = delete;
  BlackholePort& operator=(const BlackholePort&) = delete;
  ~BlackholePort() {
    ::close(parked_);
    ::close(listener_);
  }
  uint16_t port() const { return port_; }

 private:
  int listener_ = -1;
  int parked_ = -1;
  uint16_t port_ = 0;
};

// A port on 127.0.0.1 where nothing listens (bound once to learn a free one).
inline uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace uvscrape::testing
