// Fuzz target: HTML parsing, checked XPath and CSS queries on the result, the
// CSS-to-XPath translation, and form extraction.
//
// Input: the first line = an XPath expression, the second = a CSS selector,
// the rest = the page's bytes.
//
// Properties: only uvscrape's typed errors are thrown; a CSS selector the
// translator accepts becomes valid XPath; a query's elements stay usable.
#include <cstdint>
#include <string>

#include "fuzz_input.hpp"
#include "html/css_to_xpath.hpp"
#include "html/document.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/page.hpp"

namespace {

constexpr const char* kTarget = "html";
constexpr size_t kMaxElementsVisited = 32;

// Reads what a step reads from each element.
void visit(const std::vector<uvscrape::Element>& elements) {
  size_t n = 0;
  for (const uvscrape::Element& e : elements) {
    if (++n > kMaxElementsVisited) break;
    (void)e.text();
    (void)e.trimmed_text();
    (void)e.tag();
    (void)e.attr("href");
    (void)e.attr("class");
  }
}

template <class Query>
void try_query(Query&& query) {
  try {
    query();
  } catch (const uvscrape::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uvscrape::fuzz::FuzzInput input(data, size);
  const std::string_view xpath = input.line();
  const std::string_view css = input.line();
  const std::string_view html = input.rest();

  const uvscrape::html_detail::CssTranslation translation =
      uvscrape::html_detail::css_to_xpath(css);
  uvscrape::fuzz::check(!translation.ok || uvscrape::html_detail::is_valid_xpath(translation.xpath),
                        kTarget, "an accepted CSS selector translates to valid XPath");
  uvscrape::fuzz::check(translation.ok || !translation.error.empty(), kTarget,
                        "a rejected CSS selector says why");

  std::optional<uvscrape::Page> page;
  try {
    page = uvscrape::Page::parse(html, "http://fuzz.example/dir/page.html");
  } catch (const uvscrape::ScraperAssumptionException&) {
    return 0;
  }
  try_query([&] { visit(page->checked_xpath(xpath, "fuzzed xpath", 0)); });
  try_query([&] { (void)page->checked_xpath_strings(xpath, "fuzzed xpath strings", 0); });
  try_query([&] { visit(page->checked_css(css, "fuzzed css", 0)); });
  try_query([&] { visit(page->checked_css("a[href], div.x > p, #main", "fixed css", 0)); });
  try_query([&] { (void)page->checked_xpath_strings("//a/@href | //text()", "fixed xpath", 0); });
  try_query([&] {
    size_t n = 0;
    for (const uvscrape::Element& form : page->checked_css("form", "forms", 0)) {
      if (++n > 4) break;
      try_query([&] {
        const uvscrape::Form f = form.as_form();
        (void)f.get_url();
        (void)f.encoded_fields();
      });
    }
  });
  return 0;
}
