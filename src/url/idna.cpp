#include "url/idna.hpp"

#include <idn2.h>

#include <cstdlib>
#include <memory>

namespace uvscrape::url_detail {
namespace {

bool starts_with_ace_prefix(std::string_view label) noexcept {
  return label.size() >= 4 && (label[0] | 0x20) == 'x' && (label[1] | 0x20) == 'n' &&
         label[2] == '-' && label[3] == '-';
}

// True when every byte is ASCII and no label starts with "xn--" (any case).
bool is_plain_ascii(std::string_view domain) noexcept {
  bool label_start = true;
  for (size_t i = 0; i < domain.size(); ++i) {
    const auto c = static_cast<unsigned char>(domain[i]);
    if (c >= 0x80) return false;
    if (label_start && starts_with_ace_prefix(domain.substr(i))) return false;
    label_start = c == '.';
  }
  return true;
}

}  // namespace

std::string domain_to_ascii(std::string_view domain, std::string& out) {
  if (is_plain_ascii(domain)) {
    out.assign(domain);
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
    }
    return {};
  }
  const std::string input(domain);  // libidn2 wants a NUL-terminated string
  char* mapped = nullptr;
  const int rc =
      idn2_lookup_u8(reinterpret_cast<const uint8_t*>(input.c_str()),
                     reinterpret_cast<uint8_t**>(&mapped), IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
  const std::unique_ptr<char, decltype(&idn2_free)> owned(mapped, &idn2_free);
  if (rc != IDN2_OK)
    return std::string("not a valid international domain name (") + idn2_strerror(rc) + ")";
  out.assign(mapped);
  return {};
}

}  // namespace uvscrape::url_detail
