// Socket address helpers.
#include "net/address.hpp"

#include <arpa/inet.h>
#include <uv.h>

#include <cstring>

namespace uvscrape::net {

uint16_t Address::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  if (family() == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  return 0;
}

void Address::set_port(uint16_t port) {
  if (family() == AF_INET) reinterpret_cast<sockaddr_in*>(&storage)->sin_port = htons(port);
  if (family() == AF_INET6) reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port = htons(port);
}

std::string Address::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    uv_ip4_name(reinterpret_cast<const sockaddr_in*>(&storage), text, sizeof text);
    // Appended piecewise: g++ 12 at -O3 reports a false -Wrestrict on `string + ":"`.
    std::string out(text);
    out += ':';
    out += std::to_string(port());
    return out;
  }
  if (family() == AF_INET6) {
    uv_ip6_name(reinterpret_cast<const sockaddr_in6*>(&storage), text, sizeof text);
    std::string out = "[";
    out += text;
    out += "]:";
    out += std::to_string(port());
    return out;
  }
  return "<unknown address family>";
}

std::optional<Address> parse_numeric_host(const std::string& host, uint16_t port) {
  Address address;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return address;
  }
  // uv_ip6_addr also understands a zone suffix ("fe80::1%eth0").
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
  if (host.find(':') != std::string::npos && uv_ip6_addr(host.c_str(), port, v6) == 0) {
    return address;
  }
  return std::nullopt;
}

}  // namespace uvscrape::net
