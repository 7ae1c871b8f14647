// SHA-256 of an archived file, computed while it streams (mbedTLS), written
// in lower-case hex to the run store (files.sha256).
#pragma once

#include <mbedtls/sha256.h>

#include <string>
#include <string_view>

namespace uvscrape::store {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  // The digest of everything update() saw, in hex; the object is spent then.
  std::string hex();

 private:
  mbedtls_sha256_context context_;
};

// The hex SHA-256 of `bytes` in one call.
std::string sha256_hex(std::string_view bytes);

}  // namespace uvscrape::store
