// What the library itself may change on a Response and a scraper may not.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "uvscrape/response.hpp"

namespace uvscrape::detail {

struct ResponseAccess {
  // The body decoded to UTF-8, when the charset is not UTF-8 already.
  static void set_text(Response& r, std::string decoded) { r.set_text(std::move(decoded)); }
  // `r.url` in a shared string: every request yielded from `r` shares it as its
  // current location.
  static const std::shared_ptr<const std::string>& shared_url(const Response& r) {
    return r.shared_url();
  }
};

}  // namespace uvscrape::detail
