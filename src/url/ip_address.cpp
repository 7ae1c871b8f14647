#include "url/ip_address.hpp"

#include "url/percent_encode.hpp"

namespace uvscrape::url_detail {
namespace {

// Larger than any valid part: keeps the arithmetic from overflowing while
// every range check still fails.
constexpr uint64_t kTooLarge = (uint64_t{1} << 32) + 1;

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// The IPv4 number parser: "0x" prefix = hex, "0" prefix = octal, else decimal;
// "0x" alone is 0. nullopt for an empty part or a digit outside the radix.
std::optional<uint64_t> parse_ipv4_number(std::string_view part) noexcept {
  if (part.empty()) return std::nullopt;
  unsigned radix = 10;
  if (part.size() >= 2 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X')) {
    part.remove_prefix(2);
    radix = 16;
  } else if (part.size() >= 2 && part[0] == '0') {
    part.remove_prefix(1);
    radix = 8;
  }
  uint64_t value = 0;
  for (const char c : part) {
    const int digit = hex_digit_value(static_cast<unsigned char>(c));
    if (digit < 0 || static_cast<unsigned>(digit) >= radix) return std::nullopt;
    value = value * radix + static_cast<unsigned>(digit);
    if (value > kTooLarge) value = kTooLarge;
  }
  return value;
}

}  // namespace

bool ends_in_a_number(std::string_view domain) noexcept {
  if (!domain.empty() && domain.back() == '.') {
    domain.remove_suffix(1);
    if (domain.empty()) return false;  // the domain was just "."
  }
  const size_t dot = domain.rfind('.');
  const std::string_view last = dot == std::string_view::npos ? domain : domain.substr(dot + 1);
  if (last.empty()) return false;
  bool all_digits = true;
  for (const char c : last) all_digits = all_digits && is_digit(c);
  return all_digits || parse_ipv4_number(last).has_value();
}

std::optional<uint32_t> parse_ipv4(std::string_view text) noexcept {
  // One trailing '.' is allowed ("1.2.3.4." reads as four parts).
  if (text.size() > 1 && text.back() == '.') text.remove_suffix(1);
  uint64_t numbers[4] = {};
  size_t count = 0;
  while (true) {
    if (count == 4) return std::nullopt;  // a fifth part
    const size_t dot = text.find('.');
    const auto n = parse_ipv4_number(text.substr(0, dot));
    if (!n) return std::nullopt;
    numbers[count++] = *n;
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  for (size_t i = 0; i + 1 < count; ++i) {
    if (numbers[i] > 255) return std::nullopt;
  }
  // The last part fills the bytes the others left: below 256^(5 - count).
  const uint64_t limit = uint64_t{1} << (8 * (5 - count));
  if (numbers[count - 1] >= limit) return std::nullopt;
  uint64_t address = numbers[count - 1];
  for (size_t i = 0; i + 1 < count; ++i) address += numbers[i] << (8 * (3 - i));
  return static_cast<uint32_t>(address);
}

std::string serialize_ipv4(uint32_t address) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    out += std::to_string((address >> shift) & 0xFF);
    if (shift > 0) out += '.';
  }
  return out;
}

std::optional<Ipv6Address> parse_ipv6(std::string_view text) noexcept {
  Ipv6Address address{};
  size_t piece = 0;
  std::optional<size_t> compress;
  size_t p = 0;
  const size_t n = text.size();
  auto at = [&](size_t i) -> int { return i < n ? static_cast<unsigned char>(text[i]) : -1; };

  if (at(p) == ':') {
    if (at(p + 1) != ':') return std::nullopt;
    p += 2;
    compress = ++piece;
  }
  while (at(p) != -1) {
    if (piece == 8) return std::nullopt;
    if (at(p) == ':') {
      if (compress) return std::nullopt;
      ++p;
      compress = ++piece;
      continue;
    }
    unsigned value = 0;
    size_t length = 0;
    while (length < 4 && at(p) != -1 && hex_digit_value(static_cast<unsigned char>(at(p))) >= 0) {
      value =
          value * 16 + static_cast<unsigned>(hex_digit_value(static_cast<unsigned char>(at(p))));
      ++p;
      ++length;
    }
    if (at(p) == '.') {
      // An embedded IPv4 address fills the last two pieces.
      if (length == 0) return std::nullopt;
      p -= length;
      if (piece > 6) return std::nullopt;
      int numbers_seen = 0;
      while (at(p) != -1) {
        int ipv4_piece = -1;
        if (numbers_seen > 0) {
          if (at(p) == '.' && numbers_seen < 4)
            ++p;
          else
            return std::nullopt;
        }
        if (at(p) == -1 || !is_digit(static_cast<char>(at(p)))) return std::nullopt;
        while (at(p) != -1 && is_digit(static_cast<char>(at(p)))) {
          const int digit = at(p) - '0';
          if (ipv4_piece == -1)
            ipv4_piece = digit;
          else if (ipv4_piece == 0)
            return std::nullopt;  // no leading zeros
          else
            ipv4_piece = ipv4_piece * 10 + digit;
          if (ipv4_piece > 255) return std::nullopt;
          ++p;
        }
        address[piece] = static_cast<uint16_t>(address[piece] * 0x100 + ipv4_piece);
        ++numbers_seen;
        if (numbers_seen == 2 || numbers_seen == 4) ++piece;
      }
      if (numbers_seen != 4) return std::nullopt;
      break;
    }
    if (at(p) == ':') {
      ++p;
      if (at(p) == -1) return std::nullopt;
    } else if (at(p) != -1) {
      return std::nullopt;
    }
    address[piece] = static_cast<uint16_t>(value);
    ++piece;
  }
  if (compress) {
    size_t swaps = piece - *compress;
    piece = 7;
    while (piece != 0 && swaps > 0) {
      std::swap(address[piece], address[*compress + swaps - 1]);
      --piece;
      --swaps;
    }
  } else if (piece != 8) {
    return std::nullopt;
  }
  return address;
}

std::string serialize_ipv6(const Ipv6Address& address) {
  // The first longest run of at least two zero pieces.
  size_t best_start = 8, best_length = 1;
  for (size_t i = 0; i < 8;) {
    if (address[i] != 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < 8 && address[j] == 0) ++j;
    if (j - i > best_length) {
      best_start = i;
      best_length = j - i;
    }
    i = j;
  }
  static constexpr char kLowerHex[] = "0123456789abcdef";
  std::string out;
  bool ignore_zero = false;
  for (size_t i = 0; i < 8; ++i) {
    if (ignore_zero && address[i] == 0) continue;
    ignore_zero = false;
    if (i == best_start) {
      out += i == 0 ? "::" : ":";
      ignore_zero = true;
      continue;
    }
    bool leading = true;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned digit = (address[i] >> shift) & 0xF;
      if (leading && digit == 0 && shift > 0) continue;
      leading = false;
      out += kLowerHex[digit];
    }
    if (i != 7) out += ':';
  }
  return out;
}

}  // namespace uvscrape::url_detail
