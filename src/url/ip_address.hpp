// IP address hosts as the WHATWG URL Standard reads and writes them: the
// IPv4 parser that browsers share (decimal, octal and hex parts, fewer than
// four parts) and the IPv6 parser and serialiser (compression, embedded IPv4).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace uvscrape::url_detail {

// True when the last label of `domain` (ignoring one trailing '.') is all
// digits or a valid IPv4 number ("0x7f"): such a host must be an IPv4 address.
bool ends_in_a_number(std::string_view domain) noexcept;

// "0x7f.1" -> 127.0.0.1, "2130706433" -> 127.0.0.1; nullopt when not a valid
// address ("256.256.256.256", "1.2.3.4.5", "09").
std::optional<uint32_t> parse_ipv4(std::string_view text) noexcept;

// Dotted decimal.
std::string serialize_ipv4(uint32_t address);

using Ipv6Address = std::array<uint16_t, 8>;

// The text between the brackets; nullopt when not a valid address.
std::optional<Ipv6Address> parse_ipv6(std::string_view text) noexcept;

// Lower-case hex, no leading zeros, the first longest run of two or more zero
// pieces compressed to "::" (without brackets).
std::string serialize_ipv6(const Ipv6Address& address);

}  // namespace uvscrape::url_detail
