// Socks5Server: a minimal SOCKS5 proxy (RFC 1928, CONNECT only; RFC 1929
// user/password when configured) on 127.0.0.1, for the client's SOCKS tests.
// Our own code, on threads of its own with blocking sockets, so it works
// beside a test's libuv loop. Debian's dante-server authenticates user names
// against the system's accounts, which a test cannot add, hence this server.
//
//   Socks5Server socks;                       // no authentication
//   Socks5Server socks({"alice", "s3cret"});  // only user/password (method 2)
//   client_options.proxy = socks.url("socks5h");  // "socks5h://127.0.0.1:<port>"
//   EXPECT_EQ(socks.requests().at(0).host, "localhost");  // what the client asked for
//
// Requests are relayed to the address asked for (a domain name is resolved
// with getaddrinfo on the server's thread, IPv4 first, never on a test loop).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace uvscrape::testing {

class Socks5Server {
 public:
  struct Connect {
    int address_type = 0;  // 1 IPv4, 3 domain name, 4 IPv6 (RFC 1928 ATYP)
    std::string host;      // dotted / textual address, or the domain name
    uint16_t port = 0;
    std::string user;  // the user name that authenticated ("" without)
  };

  // `credentials` set: only user/password authentication with them is accepted.
  explicit Socks5Server(std::optional<std::pair<std::string, std::string>> credentials = {});
  ~Socks5Server();  // stop()
  Socks5Server(const Socks5Server&) = delete;
  Socks5Server& operator=(const Socks5Server&) = delete;

  // Closes the listener and every relay, joins the threads. Idempotent.
  void stop();

  uint16_t port() const { return port_; }
  // "<scheme>://[user:password@]127.0.0.1:<port>".
  std::string url(const std::string& scheme = "socks5", bool with_credentials = false) const;
  std::vector<Connect> requests() const;  // CONNECTs that reached the request stage
  size_t failed_authentications() const;

 private:
  void accept_loop();
  void serve(int fd);

  std::optional<std::pair<std::string, std::string>> credentials_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  mutable std::mutex mutex_;  // guards everything below
  std::vector<std::thread> workers_;
  std::vector<Connect> requests_;
  size_t failed_authentications_ = 0;
};

}  // namespace uvscrape::testing
