// What the library itself may change on a Response and a scraper may not.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "uvscrape/response.hpp"

namespace uvscrape::detail {

struct ResponseAccess {
  // `r.url` in a shared string: every request yielded from `r` shares it as its
  // current location.
  static const std::shared_ptr<const std::string>& shared_url(const Response& r) {
    return r.shared_url();
  }
  // The jar's snapshot for the response's URL (the driver sets it).
  static void set_cookies(Response& r, std::vector<Cookie> cookies) {
    if (cookies.empty()) return r.cookies_.reset();
    r.cookies_ = std::make_shared<const std::vector<Cookie>>(std::move(cookies));
  }
};

}  // namespace uvscrape::detail
