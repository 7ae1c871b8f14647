#include "url/host.hpp"

#include <array>

#include "url/idna.hpp"
#include "url/ip_address.hpp"
#include "url/percent_encode.hpp"

namespace uvscrape::url_detail {
namespace {

// Forbidden domain code points: C0 controls, space # % / : < > ? @ [ \ ] ^ |
// and DEL. (The forbidden host code points are a subset of these.)
constexpr auto kForbiddenInDomain = [] {
  std::array<bool, 128> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = true;
  for (const char c : std::string_view(" #%/:<>?@[\\]^|"))
    table[static_cast<unsigned char>(c)] = true;
  table[0x7F] = true;
  return table;
}();

std::string describe_byte(unsigned char c) {
  if (c > 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("byte 0x") + kHex[c >> 4] + kHex[c & 0xF];
}

}  // namespace

std::string parse_host(std::string_view input, Host& host) {
  if (input.front() == '[') {
    if (input.back() != ']') return "unterminated IPv6 address '" + std::string(input) + "'";
    const auto address = parse_ipv6(input.substr(1, input.size() - 2));
    if (!address) return "invalid IPv6 address '" + std::string(input) + "'";
    host.name = serialize_ipv6(*address);
    host.kind = HostKind::ipv6;
    return {};
  }

  std::string decoded;
  const bool has_escape = input.find('%') != std::string_view::npos;
  if (has_escape) decoded = percent_decode(input);
  const std::string_view domain = has_escape ? std::string_view(decoded) : input;

  std::string ascii;
  std::string error = domain_to_ascii(domain, ascii);
  if (!error.empty()) return error + " in host '" + std::string(input) + "'";
  if (ascii.empty()) return "empty host";
  for (const char ch : ascii) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80 || kForbiddenInDomain[c]) {
      return "forbidden character (" + describe_byte(c) + ") in host '" + std::string(input) + "'";
    }
  }
  if (ends_in_a_number(ascii)) {
    const auto address = parse_ipv4(ascii);
    if (!address) return "invalid IPv4 address '" + std::string(input) + "'";
    host.name = serialize_ipv4(*address);
    host.kind = HostKind::ipv4;
    return {};
  }
  host.name = std::move(ascii);
  host.kind = HostKind::domain;
  return {};
}

}  // namespace uvscrape::url_detail
