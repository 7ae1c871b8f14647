// A loopback port that neither accepts nor refuses a connection: a listening
// socket with backlog 0 whose accept queue is filled and never accepted, so
// the kernel drops further SYNs and a connect to it hangs until its own
// timeout ends it (a "blackholed" address, without leaving loopback).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace uvscrape::testing {

class FullListener {
 public:
  FullListener() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_, 0) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("FullListener: cannot listen on 127.0.0.1");
    port_ = ntohs(addr.sin_port);
    // Connections that fill the queue (non-blocking: the ones past it hang).
    for (int i = 0; i < 4; ++i) {
      const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      (void)::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
      fillers_.push_back(s);
    }
  }
  ~FullListener() {
    for (int s : fillers_) ::close(s);
    if (listener_ >= 0) ::close(listener_);
  }
  FullListener(const FullListener&) = delete;
  FullListener& operator=(const FullListener&) = delete;

  std::uint16_t port() const noexcept { return port_; }

 private:
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::vector<int> fillers_;
};

}  // namespace uvscrape::testing
