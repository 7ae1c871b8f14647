// See sha256.hpp.
#include "common/sha256.hpp"

#include "common/hex.hpp"

namespace uvscrape {

Sha256::Sha256() {
  sha256_init(&context_);
}

void Sha256::update(std::string_view bytes) {
  sha256_update(&context_, bytes.size(), reinterpret_cast<const uint8_t*>(bytes.data()));
}

Sha256Digest Sha256::digest() {
  Sha256Digest out;
  sha256_digest(&context_, out.size(), out.data());  // also resets the context
  return out;
}

std::string Sha256::hex() {
  const Sha256Digest d = digest();
  return hex_encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

Sha256Digest sha256(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.digest();
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex();
}

}  // namespace uvscrape
