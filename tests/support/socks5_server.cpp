#include "socks5_server.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace uvscrape::testing {
namespace {

constexpr int kPollMs = 50;  // how often blocked threads look at `stopping`

// Reads exactly `n` bytes; false on EOF, error or stop.
bool read_exact(int fd, unsigned char* out, size_t n, const std::atomic<bool>& stopping) {
  size_t got = 0;
  while (got < n) {
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, kPollMs);
    if (stopping) return false;
    if (ready <= 0) continue;
    const ssize_t r = ::recv(fd, out + got, n - got, 0);
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  return true;
}

bool write_all(int fd, const void* data, size_t n) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  while (n > 0) {
    const ssize_t w = ::send(fd, bytes, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    bytes += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

int connect_to(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list) != 0) return -1;
  int fd = -1;
  // IPv4 first: the test servers listen on 127.0.0.1.
  for (int family : {AF_INET, AF_INET6}) {
    for (addrinfo* a = list; a != nullptr && fd < 0; a = a->ai_next) {
      if (a->ai_family != family) continue;
      fd = ::socket(a->ai_family, SOCK_STREAM, 0);
      if (fd >= 0 && ::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
        ::close(fd);
        fd = -1;
      }
    }
  }
  ::freeaddrinfo(list);
  return fd;
}

// Copies bytes both ways until one side closes or the server stops.
void relay(int a, int b, const std::atomic<bool>& stopping) {
  unsigned char buffer[16 * 1024];
  while (!stopping) {
    pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    if (::poll(p, 2, kPollMs) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if ((p[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const int from = i == 0 ? a : b;
      const int to = i == 0 ? b : a;
      const ssize_t r = ::recv(from, buffer, sizeof buffer, 0);
      if (r <= 0 || !write_all(to, buffer, static_cast<size_t>(r))) return;
    }
  }
}

}  // namespace

Socks5Server::Socks5Server(std::optional<std::pair<std::string, std::string>> credentials)
    : credentials_(std::move(credentials)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (listen_fd_ >= 0) ::close(listen_fd_);
    throw std::runtime_error(std::string("Socks5Server: cannot listen: ") + std::strerror(errno));
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

Socks5Server::~Socks5Server() {
  stop();
}

void Socks5Server::stop() {
  if (stopping_.exchange(true)) return;
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    workers.swap(workers_);
  }
  for (auto& w : workers) w.join();
  ::close(listen_fd_);
}

std::string Socks5Server::url(const std::string& scheme, bool with_credentials) const {
  std::string auth;
  if (with_credentials && credentials_)
    auth = credentials_->first + ":" + credentials_->second + "@";
  return scheme + "://" + auth + "127.0.0.1:" + std::to_string(port_);
}

std::vector<Socks5Server::Connect> Socks5Server::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

size_t Socks5Server::failed_authentications() const {
  std::lock_guard lock(mutex_);
  return failed_authentications_;
}

void Socks5Server::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    std::lock_guard lock(mutex_);
    workers_.emplace_back([this, fd] {
      serve(fd);
      ::close(fd);
    });
  }
}

void Socks5Server::serve(int fd) {
  unsigned char head[2];
  if (!read_exact(fd, head, 2, stopping_) || head[0] != 5) return;
  std::vector<unsigned char> methods(head[1]);
  if (!read_exact(fd, methods.data(), methods.size(), stopping_)) return;
  const unsigned char wanted = credentials_ ? 0x02 : 0x00;
  bool offered = false;
  for (unsigned char m : methods) offered = offered || m == wanted;
  const unsigned char choice[2] = {5, static_cast<unsigned char>(offered ? wanted : 0xFF)};
  if (!write_all(fd, choice, 2) || !offered) return;

  std::string user;
  if (credentials_) {
    unsigned char version_and_length[2];
    if (!read_exact(fd, version_and_length, 2, stopping_)) return;
    std::string name(version_and_length[1], '\0');
    if (!read_exact(fd, reinterpret_cast<unsigned char*>(name.data()), name.size(), stopping_))
      return;
    unsigned char password_length;
    if (!read_exact(fd, &password_length, 1, stopping_)) return;
    std::string password(password_length, '\0');
    if (!read_exact(fd, reinterpret_cast<unsigned char*>(password.data()), password.size(),
                    stopping_))
      return;
    const bool ok = name == credentials_->first && password == credentials_->second;
    if (!ok) {
      // Counted before answering: the client may look as soon as it has the answer.
      std::lock_guard lock(mutex_);
      ++failed_authentications_;
    }
    const unsigned char status[2] = {1, static_cast<unsigned char>(ok ? 0 : 1)};
    write_all(fd, status, 2);
    if (!ok) return;
    user = name;
  }

  unsigned char request[4];
  if (!read_exact(fd, request, 4, stopping_) || request[0] != 5) return;
  Connect connect;
  connect.address_type = request[3];
  connect.user = user;
  if (request[3] == 1 || request[3] == 4) {
    unsigned char address[16];
    const size_t n = request[3] == 1 ? 4 : 16;
    if (!read_exact(fd, address, n, stopping_)) return;
    char text[INET6_ADDRSTRLEN];
    ::inet_ntop(request[3] == 1 ? AF_INET : AF_INET6, address, text, sizeof text);
    connect.host = text;
  } else if (request[3] == 3) {
    unsigned char length;
    if (!read_exact(fd, &length, 1, stopping_)) return;
    connect.host.assign(length, '\0');
    if (!read_exact(fd, reinterpret_cast<unsigned char*>(connect.host.data()), length, stopping_))
      return;
  } else {
    return;
  }
  unsigned char port[2];
  if (!read_exact(fd, port, 2, stopping_)) return;
  connect.port = static_cast<uint16_t>(port[0] << 8 | port[1]);
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(connect);
  }
  if (request[1] != 1) {
    const unsigned char unsupported[10] = {5, 7, 0, 1, 0, 0, 0, 0, 0, 0};
    write_all(fd, unsupported, sizeof unsupported);
    return;
  }
  const int target = connect_to(connect.host, connect.port);
  // Bound address 0.0.0.0:0: clients do not use it for CONNECT.
  const unsigned char reply[10] = {
      5, static_cast<unsigned char>(target >= 0 ? 0 : 5), 0, 1, 0, 0, 0, 0, 0, 0};
  if (!write_all(fd, reply, sizeof reply) || target < 0) {
    if (target >= 0) ::close(target);
    return;
  }
  relay(fd, target, stopping_);
  ::close(target);
}

}  // namespace uvscrape::testing
