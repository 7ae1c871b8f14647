#include "raw_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace uvscrape::testing {

RawClient::RawClient(uint16_t port) : RawClient("127.0.0.1", port) {}

RawClient::RawClient(const std::string& ipv4, uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, ipv4.c_str(), &addr.sin_addr) != 1)
    throw std::runtime_error("raw client: not an IPv4 address: " + ipv4);
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) throw std::runtime_error("raw client: socket() failed");
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd_);
    throw std::runtime_error("raw client: connect to " + ipv4 + ":" + std::to_string(port) + ": " +
                             why);
  }
}

RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

void RawClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("raw client: send: ") + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

void RawClient::shutdown_write() {
  ::shutdown(fd_, SHUT_WR);
}

RawClient::End RawClient::read(std::chrono::milliseconds deadline, size_t stop_at) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  char buf[64 * 1024];
  while (received_.size() < stop_at) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return End::timeout;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return End::timeout;
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n == 0) return End::eof;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return errno == ECONNRESET ? End::reset : End::eof;
    }
    received_.append(buf, static_cast<size_t>(n));
  }
  return End::open;
}

bool RawClient::read_until(std::string_view marker, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (received_.find(marker) == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    if (read(left, received_.size() + 1) != End::open)
      return received_.find(marker) != std::string::npos;
  }
  return true;
}

}  // namespace uvscrape::testing
