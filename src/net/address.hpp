// A resolved socket address (IPv4 or IPv6) and numeric-host parsing.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace uvscrape::net {

struct Address {
  sockaddr_storage storage{};

  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  int family() const { return storage.ss_family; }
  uint16_t port() const;
  void set_port(uint16_t port);
  std::string to_string() const;  // "127.0.0.1:80", "[::1]:443"
};

using AddressList = std::vector<Address>;

// Parses a numeric IPv4 or IPv6 host (no brackets); nullopt for DNS names.
std::optional<Address> parse_numeric_host(const std::string& host, uint16_t port = 0);

}  // namespace uvscrape::net
