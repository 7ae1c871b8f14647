// What the library itself may change on a Response and a scraper may not.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "uvscrape/response.hpp"

namespace uvscrape::detail {

struct ResponseAccess {
  // `r.url` in a shared string: every request yielded from `r` shares it as its
  // current location.
  static const std::shared_ptr<const std::string>& shared_url(const Response& r) {
    return r.shared_url();
  }
};

}  // namespace uvscrape::detail
