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
  // Drops what text(), page() and json() cached, so that the thread that ran
  // the step frees the DOM it built (docs/design.md §24): a block freed by the
  // thread that allocated it takes malloc's fast path. They parse again if asked.
  static void drop_parsed(const Response& r) noexcept {
    r.page_.reset();
    r.json_.reset();
    r.text_.reset();
    r.text_decoded_ = false;
  }
  // The selectors the step evaluated on `r` (run_step sets them; null when
  // the step evaluated none).
  static const std::shared_ptr<const html_detail::SelectorTally>& selector_tally(
      const Response& r) noexcept {
    return r.selectors_;
  }
  static void set_selector_tally(const Response& r,
                                 std::shared_ptr<const html_detail::SelectorTally> tally) noexcept {
    r.selectors_ = std::move(tally);
  }
  // The jar's snapshot for the response's URL (the driver sets it).
  static void set_cookies(Response& r, std::vector<Cookie> cookies) {
    if (cookies.empty()) return r.cookies_.reset();
    r.cookies_ = std::make_shared<const std::vector<Cookie>>(std::move(cookies));
  }
};

}  // namespace uvscrape::detail
