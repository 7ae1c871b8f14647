// The host parser of the WHATWG URL Standard for http(s) URLs: "[...]" is an
// IPv6 address; anything else is percent-decoded, mapped to ASCII (IDNA),
// checked for forbidden code points, and read as an IPv4 address when its
// last label is a number.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace uvscrape::url_detail {

enum class HostKind : uint8_t { domain, ipv4, ipv6 };

struct Host {
  std::string name;  // serialised: "example.com", "127.0.0.1", "::1" (no brackets)
  HostKind kind = HostKind::domain;
};

// `input` is the host text of the URL, not empty. Returns an empty string and
// fills `host`, or returns why the text is not a host.
std::string parse_host(std::string_view input, Host& host);

}  // namespace uvscrape::url_detail
