// SHA-256 (nettle): the dedup fingerprint of every request (docs/design.md §2)
// and the digest of every archived file (files.sha256), computed while it
// streams. nettle rather than mbedTLS's: mbedTLS 2.28 has only portable C for
// it, and nettle picks the CPU's SHA instructions at run time -- five times
// faster on the short canonical forms the fingerprint hashes per request.
#pragma once

#include <nettle/sha2.h>

#include <array>
#include <string>
#include <string_view>

namespace uvscrape {

using Sha256Digest = std::array<unsigned char, 32>;

class Sha256 {
 public:
  Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  // The digest of everything update() saw; the object starts afresh then.
  Sha256Digest digest();
  // The same, in lower-case hex.
  std::string hex();

 private:
  sha256_ctx context_;
};

// The SHA-256 of `bytes` in one call.
Sha256Digest sha256(std::string_view bytes);
// The same, in lower-case hex.
std::string sha256_hex(std::string_view bytes);

}  // namespace uvscrape
