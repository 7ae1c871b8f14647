// See sha256.hpp.
#include "store/sha256.hpp"

#include <array>

namespace uvscrape::store {

Sha256::Sha256() {
  mbedtls_sha256_init(&context_);
  mbedtls_sha256_starts_ret(&context_, 0);  // 0: SHA-256, not SHA-224
}

Sha256::~Sha256() {
  mbedtls_sha256_free(&context_);
}

void Sha256::update(std::string_view bytes) {
  mbedtls_sha256_update_ret(&context_, reinterpret_cast<const unsigned char*>(bytes.data()),
                            bytes.size());
}

std::string Sha256::hex() {
  std::array<unsigned char, 32> digest{};
  mbedtls_sha256_finish_ret(&context_, digest.data());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex();
}

}  // namespace uvscrape::store
