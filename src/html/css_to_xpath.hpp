// A small CSS selector subset translated to XPath 1.0, the way lxml's
// cssselect does it (so results match the reference's checked_css).
#pragma once

#include <string>
#include <string_view>

namespace uvscrape::html_detail {

struct CssTranslation {
  bool ok = false;
  std::string xpath;  // when ok
  std::string error;  // why the selector was rejected, when !ok
};

// Supports: tag, *, .class, #id, [attr], [attr=value] (value quoted or bare),
// descendant (whitespace) and child (>) combinators, comma-separated lists.
// Each selector starts with "descendant-or-self::", so the context node itself
// can match.
CssTranslation css_to_xpath(std::string_view selector);

}  // namespace uvscrape::html_detail
